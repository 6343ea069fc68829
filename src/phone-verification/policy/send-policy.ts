/** The per-user send rules as arithmetic: the re-send cooldown and the hourly cap of one account. */

import { EventHistory, historyOf } from './event-history';

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
  options: { cooldown?: boolean } = {},
): SendBlock | null {
  return sendBlockOf(historyOf(sends), now, rules, options);
}

/** `sendBlock`, given the history of the last hour's sends read at `sendPositions(rules)`. */
export function sendBlockOf(
  sends: EventHistory,
  now: Date,
  rules: UserSendRules,
  { cooldown = true } = {},
): SendBlock | null {
  const lastSend = sends.newest(1);
  const cooldownEnds = lastSend && cooldown ? lastSend.getTime() + rules.resendCooldownSeconds * 1000 : 0;
  if (cooldownEnds > now.getTime()) {
    return { code: 'RESEND_TOO_SOON', seconds: (cooldownEnds - now.getTime()) / 1000 };
  }
  const cap = rules.maxSendsPerHour;
  if (sends.count < cap) return null;
  // The cap-th newest send: the next send waits until it is an hour old.
  const oldest = sends.newest(cap)!;
  return { code: 'SEND_LIMIT_REACHED', seconds: (oldest.getTime() + HOUR_MS - now.getTime()) / 1000 };
}

/**
 * The positions of the last hour's sends that `sendBlockOf` reads, before a send and after it (`withEvent`):
 * the newest, and the cap-th newest then and once one more send is made.
 */
export function sendPositions(rules: UserSendRules): number[] {
  const cap = rules.maxSendsPerHour;
  return [...new Set([1, Math.max(1, cap - 1), cap])];
}

/** Whole seconds from `from` to `to`, rounded up, never negative. */
export function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.ceil((to.getTime() - from.getTime()) / 1000));
}
