/** How the request that changes a number was authenticated. */
export interface PhoneChangeAuthentication {
  /** The password was given within `REAUTH_MAX_AGE_SECONDS`. */
  recentlyAuthenticated: boolean;
}

/**
 * Replacing or removing a confirmed number takes a recent password: a stolen access token alone must not move
 * the account's proof of ownership elsewhere. Storing a first number, replacing an unconfirmed one, or setting
 * the number the user already has does not.
 */
export function needsRecentAuthentication(
  current: { phoneE164: string | null; phoneConfirmed: boolean },
  nextE164: string | null,
): boolean {
  return current.phoneConfirmed && current.phoneE164 !== null && nextE164 !== current.phoneE164;
}
