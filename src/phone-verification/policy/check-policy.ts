/** The per-user check rules as arithmetic: wrong codes per verification and per day. */

import { EventHistory, historyOf } from './event-history';

export const DAY_MS = 24 * 3600_000;

/** Wrong codes still allowed against a verification, given the caps that apply to it. */
export function attemptsRemaining(
  maxCheckAttempts: number,
  failedAttempts: number,
  ...others: number[]
): number {
  return Math.max(0, Math.min(maxCheckAttempts - failedAttempts, ...others));
}

/**
 * Whether an account is over its daily cap of wrong codes, given its wrong codes of the last 24 hours (oldest
 * first) and its checks still waiting for the provider (each may become a wrong code); and for how long.
 */
export function dailyFailureBlock(
  failures: readonly Date[],
  checksInFlight: number,
  cap: number,
  now: Date,
): { seconds: number } | null {
  return dailyFailureBlockOf(historyOf(failures), checksInFlight, cap, now);
}

/** `dailyFailureBlock`, given the history of the last day's wrong codes read at `failurePositions(cap)`. */
export function dailyFailureBlockOf(
  failures: EventHistory,
  checksInFlight: number,
  cap: number,
  now: Date,
): { seconds: number } | null {
  if (failures.count + checksInFlight < cap) return null;
  // Over the cap only with checks in flight: their answer is moments away.
  if (failures.count < cap) return { seconds: 1 };
  const oldest = failures.newest(cap)!;
  return { seconds: Math.max(1, (oldest.getTime() + DAY_MS - now.getTime()) / 1000) };
}

/** The positions of the last day's wrong codes that `dailyFailureBlockOf` reads: the cap-th newest. */
export function failurePositions(cap: number): number[] {
  return [cap];
}
