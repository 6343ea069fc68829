/** How long one code can be guessed at. */

/** Twilio keeps a number's code, and re-sends the same one, for 10 minutes, whatever our own expiry says. */
export const PROVIDER_CODE_LIFETIME_SECONDS = 600;

/**
 * The window of a number's wrong-code cap: it opens before the code is asked for and must outlive the code, so
 * it spans the longer of the provider's and our lifetimes plus the longest a send can take to reach the provider.
 */
export function codeWindowSeconds(codeTtlSeconds: number, providerTimeoutMs: number): number {
  return Math.max(PROVIDER_CODE_LIFETIME_SECONDS, codeTtlSeconds) + Math.ceil(providerTimeoutMs / 1000);
}
