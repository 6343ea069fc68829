/** The per-user send rules as arithmetic: the re-send cooldown and the hourly cap of one account. */

export const HOUR_MS = 3600_000;

export type SendBlockCode = 'RESEND_TOO_SOON' | 'SEND_LIMIT_REACHED';

export interface SendBlock {
  code: SendBlockCode;
  /** Seconds until the next send is allowed (fractional: rounded up where it is shown). */
  seconds: number;
}

export interface UserSendRules {
  resendCooldownSeconds: number;
  maxSendsPerHour: number;
}

/**
 * Whether the cooldown or the hourly cap holds back the next send, given the account's sends of the last hour,
 * oldest first. Test numbers have no cooldown (`cooldown: false`); the hourly cap holds for every number.
 */
export function sendBlock(
  sends: readonly Date[],
  now: Date,
  rules: UserSendRules,
  { cooldown = true } = {},
): SendBlock | null {
  const lastSend = sends.at(-1);
  const cooldownEnds = lastSend && cooldown ? lastSend.getTime() + rules.resendCooldownSeconds * 1000 : 0;
  if (cooldownEnds > now.getTime()) {
    return { code: 'RESEND_TOO_SOON', seconds: (cooldownEnds - now.getTime()) / 1000 };
  }
  const cap = rules.maxSendsPerHour;
  if (sends.length < cap) return null;
  const oldest = sends[sends.length - cap];
  return { code: 'SEND_LIMIT_REACHED', seconds: (oldest.getTime() + HOUR_MS - now.getTime()) / 1000 };
}

/** Whole seconds from `from` to `to`, rounded up, never negative. */
export function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.ceil((to.getTime() - from.getTime()) / 1000));
}
