import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import Redis from 'ioredis';
import { appConfig } from '../../config';
import { COUNTER_STORE } from './counter-store';
import { MemoryCounterStore } from './memory-counter.store';
import { RedisCounterStore } from './redis-counter.store';

/** The Redis connection shared by rate limits and the health check, or `null` without `REDIS_URL`. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [appConfig.KEY],
      useFactory: (config: ConfigType<typeof appConfig>): Redis | null => {
        if (!config.redisUrl) return null;
        const redis = new Redis(config.redisUrl, {
          keyPrefix: config.redisKeyPrefix,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
        });
        const logger = new Logger('Redis');
        redis.on('error', (error: Error) => logger.warn(`redis: ${error.message}`));
        return redis;
      },
    },
    {
      provide: COUNTER_STORE,
      inject: [REDIS_CLIENT],
      useFactory: (redis: Redis | null) => (redis ? new RedisCounterStore(redis) : new MemoryCounterStore()),
    },
  ],
  exports: [REDIS_CLIENT, COUNTER_STORE],
})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}
