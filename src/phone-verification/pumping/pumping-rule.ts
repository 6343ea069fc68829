/** Sends and approvals of one country over the last hour. */
export interface ConversionTotals {
  sends: number;
  approvals: number;
}

export interface PumpingThresholds {
  /** Below this many sends a country is not judged: too few to tell fraud from bad luck. */
  minSends: number;
  /** The share of sends that must end approved. */
  minConversion: number;
}

/**
 * SMS pumping shows as sends nobody confirms: a country is suspect once it has had enough sends to judge and
 * too few of them were approved.
 */
export function isPumpingSuspected(totals: ConversionTotals, thresholds: PumpingThresholds): boolean {
  if (totals.sends < thresholds.minSends || totals.sends === 0) return false;
  return conversionOf(totals) < thresholds.minConversion;
}

/** Approvals per send, at most 1 (an approval may belong to a send of the hour before). */
export function conversionOf({ sends, approvals }: ConversionTotals): number {
  if (sends === 0) return 0;
  return Math.min(1, approvals / sends);
}

export const WINDOW_SECONDS = 3600;
/** The hour slides by this step: counts live in one-minute buckets. */
export const BUCKET_SECONDS = 60;
export const BUCKETS_PER_WINDOW = WINDOW_SECONDS / BUCKET_SECONDS;

/** The bucket that `at` falls in. */
export function bucketOf(at: Date): number {
  return Math.floor(at.getTime() / (BUCKET_SECONDS * 1000));
}

/** The oldest bucket of the hour ending at `at`. */
export function firstBucketOfWindow(at: Date): number {
  return bucketOf(at) - BUCKETS_PER_WINDOW + 1;
}

/** The buckets that make up the hour ending at `at`, oldest first. */
export function bucketsOfWindow(at: Date): number[] {
  const first = firstBucketOfWindow(at);
  return Array.from({ length: BUCKETS_PER_WINDOW }, (_, index) => first + index);
}
