import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { appConfig } from '../../config';
import { COUNTER_STORE } from './counter-store';
import { FallbackCounterStore, FallbackThrottlerStorage } from './fallback';
import { MemoryCounterStore } from './memory-counter.store';
import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { RedisCounterStore } from './redis-counter.store';

/** The Redis connection shared by rate limits and the health check, or `null` without `REDIS_URL`. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
/** The storage of `@nestjs/throttler`: Redis when configured (with a local fallback), else memory. */
export const THROTTLER_STORAGE = Symbol('THROTTLER_STORAGE');

const CONNECT_TIMEOUT_MS = 2000;

async function connectRedis(config: ConfigType<typeof appConfig>): Promise<Redis | null> {
  if (!config.redisUrl) return null;
  const logger = new Logger('Redis');
  const redis = new Redis(config.redisUrl, {
    keyPrefix: config.redisKeyPrefix,
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Fail fast while disconnected, so requests fall back to local counters instead of waiting.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // A Redis that accepts connections but does not answer must not hold every request.
    commandTimeout: 500,
  });
  redis.on('error', (error: Error) => logger.warn(`redis: ${error.message}`));
  await redis.connect().catch((error: Error) => logger.error(`cannot reach Redis yet: ${error.message}`));
  return redis;
}

@Global()
@Module({
  providers: [
    { provide: REDIS_CLIENT, inject: [appConfig.KEY], useFactory: connectRedis },
    {
      provide: COUNTER_STORE,
      inject: [REDIS_CLIENT],
      useFactory: (redis: Redis | null) =>
        redis
          ? new FallbackCounterStore(new RedisCounterStore(redis), new MemoryCounterStore())
          : new MemoryCounterStore(),
    },
    {
      provide: THROTTLER_STORAGE,
      inject: [REDIS_CLIENT],
      useFactory: (redis: Redis | null) =>
        redis
          ? new FallbackThrottlerStorage(
              new ThrottlerStorageRedisService(redis),
              new MemoryThrottlerStorage(),
            )
          : new MemoryThrottlerStorage(),
    },
  ],
  exports: [REDIS_CLIENT, COUNTER_STORE, THROTTLER_STORAGE],
})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    else this.redis.disconnect();
  }
}
