import { Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type Redis from 'ioredis';
import { appConfig } from '../../config';

/** The Redis connection shared by rate limits and the health check, or `null` without `REDIS_URL`. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

const CONNECT_TIMEOUT_MS = 2000;

export async function connectRedis(config: ConfigType<typeof appConfig>): Promise<Redis | null> {
  if (!config.redisUrl) return null;
  // Loaded here, with REDIS_URL only: a service without Redis does not load the client at start-up.
  const { Redis: RedisClient } = await import('ioredis');
  const logger = new Logger('Redis');
  const redis = new RedisClient(config.redisUrl, {
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
