import { registerAs } from '@nestjs/config';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { compile as compileTrust } from 'proxy-addr';
import { parseCorsHeaders, parseCorsOrigins } from './cors';
import { ConfigurationError, readEnv, splitList } from './validate-config';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

class AppEnv {
  @IsOptional() @IsInt() @Min(0) @Max(65535) PORT?: number;
  @IsOptional()
  @Matches(/^([\w.-]+|\[?[0-9a-fA-F:.]+\]?)$/, {
    message: 'HOST must be an address or host name to listen on, such as 0.0.0.0, 127.0.0.1 or ::',
  })
  HOST?: string;
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?: string;
  @IsOptional() @IsIn(LOG_LEVELS) LOG_LEVEL?: (typeof LOG_LEVELS)[number];
  @IsOptional() @IsIn(LOG_FORMATS, { message: 'LOG_FORMAT must be json or pretty' }) LOG_FORMAT?: LogFormat;
  @IsOptional() @IsString() TRUST_PROXY?: string;
  @IsOptional() @IsString() CORS_ORIGINS?: string;
  @IsOptional() @IsString() CORS_ALLOWED_HEADERS?: string;
  @IsOptional() @IsInt() @Min(1) @Max(1_000_000) THROTTLE_LIMIT?: number;
  @IsOptional() @IsInt() @Min(1) @Max(86_400) THROTTLE_TTL_SECONDS?: number;
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;
  @IsOptional()
  @Matches(/^[\w:.-]{0,64}$/, { message: 'REDIS_KEY_PREFIX may hold letters, digits and :._-' })
  REDIS_KEY_PREFIX?: string;
}

export const appConfig = registerAs('app', () => {
  const env = readEnv(AppEnv);
  const nodeEnv = env.NODE_ENV ?? 'development';
  return {
    port: env.PORT ?? 3000,
    host: (env.HOST ?? '0.0.0.0').replace(/^\[(.*)\]$/, '$1'),
    nodeEnv,
    logLevel: env.LOG_LEVEL ?? 'info',
    logFormat: env.LOG_FORMAT ?? defaultLogFormat(nodeEnv, process.stdout.isTTY === true),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    corsOrigins: parseCorsOrigins(env.CORS_ORIGINS),
    corsAllowedHeaders: parseCorsHeaders(env.CORS_ALLOWED_HEADERS),
    throttleLimit: env.THROTTLE_LIMIT ?? 100,
    throttleTtlSeconds: env.THROTTLE_TTL_SECONDS ?? 60,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX ?? 'identity:',
  };
});

export type AppConfig = ReturnType<typeof appConfig>;

/** Readable lines for a person at a terminal; JSON for everything that collects logs, and always in production. */
export function defaultLogFormat(nodeEnv: string, stdoutIsTerminal: boolean): LogFormat {
  return stdoutIsTerminal && nodeEnv !== 'production' ? 'pretty' : 'json';
}

/**
 * Express's `trust proxy`: `false`, a hop count, or the proxies' addresses/subnets (`loopback`, `10.0.0.0/8`).
 * `true` would take the client address from whatever `X-Forwarded-For` a client sends, so it is refused.
 */
function parseTrustProxy(value: string | undefined): false | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') {
    throw new ConfigurationError(
      'TRUST_PROXY=true would let clients forge their address: give a hop count or the proxies',
    );
  }
  if (/^\d+$/.test(value)) return Number(value);
  const proxies = splitList(value);
  try {
    compileTrust(proxies);
  } catch {
    throw new ConfigurationError(
      'TRUST_PROXY must be false, a hop count, or addresses/subnets such as 10.0.0.0/8',
    );
  }
  return proxies;
}
