import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { readEnv } from './validate-config';

class DatabaseEnv {
  @IsOptional()
  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'DATABASE_URL must be sqlite:<file> or postgres://user:pass@host:5432/db',
  })
  DATABASE_URL?: string;

  @IsOptional() @IsInt() @Min(100) @Max(60_000) DATABASE_TIMEOUT_MS?: number;
}

/**
 * `timeoutMs`: how long one database step (getting a connection, one statement, SQLite's write lock) may wait
 * before the request is answered `503`.
 */
export type DatabaseConfig = ({ type: 'sqlite'; file: string } | { type: 'postgres'; url: string }) & {
  timeoutMs?: number;
};

export const DEFAULT_DATABASE_TIMEOUT_MS = 2000;

export function readDatabaseConfig(): DatabaseConfig {
  const env = readEnv(DatabaseEnv);
  const url = env.DATABASE_URL ?? 'sqlite:data/identity.sqlite';
  const timeoutMs = env.DATABASE_TIMEOUT_MS ?? DEFAULT_DATABASE_TIMEOUT_MS;
  if (url.startsWith('sqlite:')) return { type: 'sqlite', file: url.slice('sqlite:'.length), timeoutMs };
  return { type: 'postgres', url, timeoutMs };
}

export const databaseConfig = registerAs('database', readDatabaseConfig);
