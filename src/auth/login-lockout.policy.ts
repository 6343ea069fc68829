/** The rules of failed logins, as arithmetic. The counters that feed them live in `LoginThrottle`. */

/** NIST SP 800-63B: an account never takes more than this many wrong passwords in a row without a success. */
export const MAX_CONSECUTIVE_FAILURES = 100;

/**
 * How long a run of failures without a success is remembered from its first failure: well beyond the 5 days the
 * doubling lockouts take to let 100 through with the defaults (and within what a timer of the memory limiter holds).
 */
export const FAILURE_RUN_MEMORY_SECONDS = 20 * 24 * 3600;

/**
 * The length of the `lockout`-th lockout of a run (1 for the first): the failure window, doubled for every
 * lockout that came before it without a success, never longer than the run is remembered.
 */
export function lockoutSeconds(windowSeconds: number, lockout: number): number {
  const doublings = Math.max(0, lockout - 1);
  return Math.min(windowSeconds * 2 ** Math.min(doublings, 40), FAILURE_RUN_MEMORY_SECONDS);
}

/** The `Retry-After` of a refusal by several limits at once: the longest of their waits. */
export function longestWait(waits: readonly number[]): number {
  return Math.max(1, ...waits);
}
