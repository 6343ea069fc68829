import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig, DEFAULT_DATABASE_TIMEOUT_MS } from '../config/database.config';
import { DatabaseAvailability } from './database-availability';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { guardedClientClass } from './postgres-client';

/**
 * The one DataSource definition, used by the app and by the TypeORM CLI (`ormconfig.ts`).
 *
 * PostgreSQL: getting a connection (from the pool or a new one) and every statement wait at most
 * `timeoutMs` (the server cancels the statement; should the server not answer at all, the client gives up a
 * moment later and cuts the connection). SQLite: `timeoutMs` is how long a write waits for another
 * process's write lock (see SqliteTransactions).
 */
export function buildDataSourceOptions(
  config: DatabaseConfig,
  availability = new DatabaseAvailability(),
): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
  } as const;
  const timeoutMs = config.timeoutMs ?? DEFAULT_DATABASE_TIMEOUT_MS;
  if (config.type === 'sqlite') {
    if (config.file !== ':memory:') mkdirSync(dirname(config.file), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: config.file,
      timeout: timeoutMs,
      enableWAL: true,
      prepareDatabase: (db: { pragma(statement: string): unknown }) => {
        db.pragma('foreign_keys = ON');
        // WAL's usual setting: no fsync per commit (a crash of the process loses nothing; a power cut may lose
        // the last commits, never the file's consistency). See the README's database section.
        db.pragma('synchronous = NORMAL');
      },
    };
  }
  return {
    ...common,
    type: 'postgres',
    url: config.url,
    extra: {
      Client: guardedClientClass(availability),
      max: 10,
      connectionTimeoutMillis: timeoutMs,
      idleTimeoutMillis: 30000,
      statement_timeout: timeoutMs,
      // The server's statement_timeout answers first when the server is alive; this one when it is not.
      query_timeout: timeoutMs + CLIENT_TIMEOUT_GRACE_MS,
      // A transaction left open by a process that froze releases its locks.
      idle_in_transaction_session_timeout: timeoutMs * 10,
      keepAlive: true,
    },
  };
}

export const CLIENT_TIMEOUT_GRACE_MS = 250;
