import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import {
  RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { REDIS_CLIENT } from './redis-client';

/** A count over a fixed window that opens with the first point taken for a key. */
export interface WindowLimitSpec {
  /** Names the counters (and their Redis keys): unique per limit. */
  name: string;
  /** Points a key may take per window; 0 turns the limit off. */
  points: number;
  durationSeconds: number;
}

/** A take: accepted with the points now counted in the window, or refused with the wait until it ends. */
export type TakeResult = { taken: true; counted: number } | { taken: false; retryAfterSeconds: number };

/**
 * One limit of `rate-limiter-flexible`: shared through Redis when `REDIS_URL` is set (this instance's memory
 * stands in while Redis fails), else in memory. A refused take is given back at once, so a refused request
 * never counts.
 */
export class WindowLimit {
  constructor(
    readonly spec: WindowLimitSpec,
    private readonly limiter: RateLimiterAbstract | null,
  ) {}

  get enabled(): boolean {
    return this.limiter !== null;
  }

  async take(key: string, points = 1): Promise<TakeResult> {
    if (!this.limiter) return { taken: true, counted: 0 };
    try {
      const result = await this.limiter.consume(key, points);
      return { taken: true, counted: result.consumedPoints };
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      await this.giveBack(key, points);
      return { taken: false, retryAfterSeconds: wholeSeconds(error.msBeforeNext) };
    }
  }

  /**
   * Makes the key's window last at least `seconds` from now, keeping its count (opening it, empty, if none is
   * open). Never shortens it. Read then write: a take landing between the two is lost from the count, so
   * callers extend where takes are rare (a send), never on the path of every take.
   */
  async extend(key: string, seconds: number): Promise<void> {
    if (!this.limiter) return;
    const current = await this.limiter.get(key);
    if (!current || current.msBeforeNext <= 0)
      await this.limiter.consume(key, 0, { customDuration: seconds });
    else if (current.msBeforeNext < seconds * 1000)
      await this.limiter.set(key, current.consumedPoints, seconds);
  }

  async giveBack(key: string, points = 1): Promise<void> {
    if (!this.limiter || points === 0) return;
    // Only into a window that is still open: a reward after the end would start a window with credit.
    const current = await this.limiter.get(key);
    if (current && current.consumedPoints > 0) await this.limiter.reward(key, points);
  }

  /** Points left in the key's window, and when it ends (all points, now, when none is open). */
  async remaining(key: string): Promise<{ points: number; resetInSeconds: number }> {
    if (!this.limiter) return { points: Infinity, resetInSeconds: 0 };
    const current = await this.limiter.get(key);
    if (!current || current.msBeforeNext <= 0) return { points: this.spec.points, resetInSeconds: 0 };
    return {
      points: Math.max(0, this.spec.points - current.consumedPoints),
      resetInSeconds: wholeSeconds(current.msBeforeNext),
    };
  }

  /** Blocks the key for `seconds`: every take is refused until then. */
  async block(key: string, seconds: number): Promise<void> {
    await this.limiter?.block(key, seconds);
  }

  async delete(key: string): Promise<void> {
    await this.limiter?.delete(key);
  }
}

/** Whole seconds, rounded up: a client told to wait is never early. */
export function wholeSeconds(milliseconds: number): number {
  return Math.max(1, Math.ceil(milliseconds / 1000));
}

/** Builds the limits: the Redis limiter with an in-memory insurance limiter, or the memory limiter alone. */
@Injectable()
export class WindowLimits {
  private readonly logger = new Logger('RateLimit');
  private warnedAt = 0;

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis | null) {}

  create(spec: WindowLimitSpec): WindowLimit {
    if (spec.points <= 0) return new WindowLimit(spec, null);
    const options = { keyPrefix: spec.name, points: spec.points, duration: spec.durationSeconds };
    if (!this.redis) return new WindowLimit(spec, new RateLimiterMemory(options));
    const limiter = new RateLimiterRedis({
      ...options,
      storeClient: this.redis,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new InsuranceLimiter(options, () => this.warnFallback()),
    });
    return new WindowLimit(spec, limiter);
  }

  private warnFallback(): void {
    if (Date.now() - this.warnedAt < 10_000) return;
    this.warnedAt = Date.now();
    this.logger.warn("Redis unavailable: limits use this instance's counters until it is back");
  }
}

/** This instance's memory, standing in for Redis while it fails: a Redis outage weakens limits, never fails requests. */
class InsuranceLimiter extends RateLimiterMemory {
  constructor(
    options: ConstructorParameters<typeof RateLimiterMemory>[0],
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override consume(...args: Parameters<RateLimiterMemory['consume']>): Promise<RateLimiterRes> {
    this.onUse();
    return super.consume(...args);
  }
}
