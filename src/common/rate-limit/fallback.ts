import { Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

const logger = new Logger('RateLimit');
let warnedAt = 0;

/**
 * Runs `shared` (Redis) and, when it fails, `local` (this instance's memory): a Redis outage weakens the
 * limits to one instance's view instead of failing every request.
 */
async function withFallback<T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> {
  try {
    return await shared();
  } catch (error) {
    if (Date.now() - warnedAt > 10_000) {
      warnedAt = Date.now();
      logger.warn(`Redis unavailable, rate limits use this instance's counters: ${(error as Error).message}`);
    }
    return local();
  }
}

export class FallbackThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly shared: ThrottlerStorage,
    private readonly local: ThrottlerStorage,
  ) {}

  increment(...args: Parameters<ThrottlerStorage['increment']>): Promise<ThrottlerStorageRecord> {
    return withFallback(
      () => this.shared.increment(...args),
      () => this.local.increment(...args),
    );
  }
}
