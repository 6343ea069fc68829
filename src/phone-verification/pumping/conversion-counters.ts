import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import {
  BUCKET_SECONDS,
  bucketOf,
  bucketsOfWindow,
  ConversionTotals,
  firstBucketOfWindow,
  WINDOW_SECONDS,
} from './pumping-rule';

export type ConversionEvent = 'send' | 'approval';

/** Sends and approvals per country over a sliding hour, and the once-an-hour alarm of each country. */
export interface ConversionCounters {
  add(event: ConversionEvent, country: string, at: Date): Promise<void>;
  totals(country: string, at: Date): Promise<ConversionTotals>;
  /** The countries with a send or an approval in the hour ending at `at`. */
  countries(at: Date): Promise<string[]>;
  /** True for the first claim of `country` within an hour, across every instance sharing the counters. */
  claimAlarm(country: string, at: Date): Promise<boolean>;
}

const WINDOW_MS = WINDOW_SECONDS * 1000;

interface CountryBuckets {
  send: Map<number, number>;
  approval: Map<number, number>;
  lastSeenMs: number;
}

/** This instance's counters: the store without Redis, and Redis's stand-in while it fails. */
export class MemoryConversionCounters implements ConversionCounters {
  private readonly byCountry = new Map<string, CountryBuckets>();
  private readonly alarmedAt = new Map<string, number>();

  add(event: ConversionEvent, country: string, at: Date): Promise<void> {
    this.prune(at);
    let buckets = this.byCountry.get(country);
    if (!buckets) {
      buckets = { send: new Map(), approval: new Map(), lastSeenMs: 0 };
      this.byCountry.set(country, buckets);
    }
    const bucket = bucketOf(at);
    buckets[event].set(bucket, (buckets[event].get(bucket) ?? 0) + 1);
    buckets.lastSeenMs = Math.max(buckets.lastSeenMs, at.getTime());
    return Promise.resolve();
  }

  totals(country: string, at: Date): Promise<ConversionTotals> {
    const buckets = this.byCountry.get(country);
    const window = bucketsOfWindow(at);
    const sum = (counts: Map<number, number> | undefined) =>
      window.reduce((total, bucket) => total + (counts?.get(bucket) ?? 0), 0);
    return Promise.resolve({ sends: sum(buckets?.send), approvals: sum(buckets?.approval) });
  }

  countries(at: Date): Promise<string[]> {
    this.prune(at);
    return Promise.resolve([...this.byCountry.keys()]);
  }

  claimAlarm(country: string, at: Date): Promise<boolean> {
    const last = this.alarmedAt.get(country);
    if (last !== undefined && at.getTime() - last < WINDOW_MS) return Promise.resolve(false);
    this.alarmedAt.set(country, at.getTime());
    return Promise.resolve(true);
  }

  /** Countries quiet for an hour are forgotten, so memory holds at most the countries of one hour. */
  private prune(at: Date): void {
    const oldest = firstBucketOfWindow(at);
    for (const [country, buckets] of this.byCountry) {
      if (at.getTime() - buckets.lastSeenMs >= WINDOW_MS) {
        this.byCountry.delete(country);
        continue;
      }
      for (const counts of [buckets.send, buckets.approval])
        for (const bucket of counts.keys()) if (bucket < oldest) counts.delete(bucket);
    }
  }
}

// Compares the clock's time rather than relying on the key's expiry alone, so that a test clock can move on.
const CLAIM_ALARM = `
local last = redis.call('GET', KEYS[1])
if last and tonumber(last) > tonumber(ARGV[1]) - tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Counters shared by every instance: one key per country, event and minute, expiring after the hour. */
export class RedisConversionCounters implements ConversionCounters {
  constructor(private readonly redis: Redis) {}

  async add(event: ConversionEvent, country: string, at: Date): Promise<void> {
    const key = bucketKey(event, country, bucketOf(at));
    await this.redis
      .multi()
      .incr(key)
      .expire(key, WINDOW_SECONDS + BUCKET_SECONDS)
      .zadd(COUNTRIES_KEY, at.getTime(), country)
      .zremrangebyscore(COUNTRIES_KEY, '-inf', at.getTime() - WINDOW_MS)
      .expire(COUNTRIES_KEY, WINDOW_SECONDS + BUCKET_SECONDS)
      .exec();
  }

  async totals(country: string, at: Date): Promise<ConversionTotals> {
    const window = bucketsOfWindow(at);
    const keys = [
      ...window.map((bucket) => bucketKey('send', country, bucket)),
      ...window.map((bucket) => bucketKey('approval', country, bucket)),
    ];
    const counts = (await this.redis.mget(keys)).map((value) => Number(value ?? 0));
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    return { sends: sum(counts.slice(0, window.length)), approvals: sum(counts.slice(window.length)) };
  }

  countries(at: Date): Promise<string[]> {
    return this.redis.zrangebyscore(COUNTRIES_KEY, `(${at.getTime() - WINDOW_MS}`, '+inf');
  }

  async claimAlarm(country: string, at: Date): Promise<boolean> {
    const claimed = await this.redis.eval(
      CLAIM_ALARM,
      1,
      `pumping:alarm:${country}`,
      at.getTime(),
      WINDOW_MS,
    );
    return claimed === 1;
  }
}

const COUNTRIES_KEY = 'pumping:countries';

function bucketKey(event: ConversionEvent, country: string, bucket: number): string {
  return `pumping:${event}:${country}:${bucket}`;
}

/**
 * Redis while it answers, this instance's memory while it does not: an outage weakens the guard to one
 * instance's view instead of failing sends.
 */
export class FallbackConversionCounters implements ConversionCounters {
  private readonly logger = new Logger('PumpingGuard');
  private warnedAtMs = 0;

  constructor(
    private readonly shared: ConversionCounters,
    private readonly local: ConversionCounters,
  ) {}

  add(event: ConversionEvent, country: string, at: Date): Promise<void> {
    return this.run((store) => store.add(event, country, at));
  }

  totals(country: string, at: Date): Promise<ConversionTotals> {
    return this.run((store) => store.totals(country, at));
  }

  countries(at: Date): Promise<string[]> {
    return this.run((store) => store.countries(at));
  }

  claimAlarm(country: string, at: Date): Promise<boolean> {
    return this.run((store) => store.claimAlarm(country, at));
  }

  private async run<T>(operation: (store: ConversionCounters) => Promise<T>): Promise<T> {
    try {
      return await operation(this.shared);
    } catch (error) {
      if (Date.now() - this.warnedAtMs > 10_000) {
        this.warnedAtMs = Date.now();
        this.logger.warn(`Redis unavailable, the pumping guard counts on this instance: ${String(error)}`);
      }
      return operation(this.local);
    }
  }
}
