/** Which cross-account caps a send must get past, in the order they are taken. */

export type SendCapName = 'number' | 'address' | 'budget';

/**
 * The narrowest cap first, so that a refused request disturbs the least; the service-wide budget last. A test
 * number has no per-number cap (it sends nothing), every other cap holds.
 */
export function sendCapClaims({ testNumber }: { testNumber: boolean }): SendCapName[] {
  return testNumber ? ['address', 'budget'] : ['number', 'address', 'budget'];
}
