import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { appConfig } from '../../config';
import { FallbackThrottlerStorage } from './fallback';
import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { connectRedis, REDIS_CLIENT } from './redis-client';
import { WindowLimits } from './window-limits';

export { REDIS_CLIENT } from './redis-client';

/** The storage of `@nestjs/throttler`: Redis when configured (with a local fallback), else memory. */
export const THROTTLER_STORAGE = Symbol('THROTTLER_STORAGE');

@Global()
@Module({
  providers: [
    { provide: REDIS_CLIENT, inject: [appConfig.KEY], useFactory: connectRedis },
    WindowLimits,
    {
      provide: THROTTLER_STORAGE,
      inject: [REDIS_CLIENT],
      useFactory: async (redis: Redis | null) =>
        redis
          ? new FallbackThrottlerStorage(
              // Loaded with REDIS_URL only, like the client it wraps.
              new (await import('@nest-lab/throttler-storage-redis')).ThrottlerStorageRedisService(redis),
              new MemoryThrottlerStorage(),
            )
          : new MemoryThrottlerStorage(),
    },
  ],
  exports: [REDIS_CLIENT, WindowLimits, THROTTLER_STORAGE],
})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    else this.redis.disconnect();
  }
}
