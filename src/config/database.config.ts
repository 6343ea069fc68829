import { registerAs } from '@nestjs/config';
import { IsOptional, Matches } from 'class-validator';
import { readEnv } from './validate-config';

class DatabaseEnv {
  @IsOptional()
  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'DATABASE_URL must be sqlite:<file> or postgres://user:pass@host:5432/db',
  })
  DATABASE_URL?: string;
}

export type DatabaseConfig = { type: 'sqlite'; file: string } | { type: 'postgres'; url: string };

export function readDatabaseConfig(): DatabaseConfig {
  const url = readEnv(DatabaseEnv).DATABASE_URL ?? 'sqlite:data/identity.sqlite';
  if (url.startsWith('sqlite:')) return { type: 'sqlite', file: url.slice('sqlite:'.length) };
  return { type: 'postgres', url };
}

export const databaseConfig = registerAs('database', readDatabaseConfig);
