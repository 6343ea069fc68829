import type { Client } from 'pg';
import { DatabaseAvailability } from './database-availability';
import { isDatabaseUnavailable } from './database-errors';

interface PgConnection {
  stream: { destroy(): void };
}

type Callback = (error: unknown, result?: unknown) => void;

/**
 * pg's Client, with two changes. A query that times out on the client side (`query_timeout`) leaves the
 * connection waiting for an answer that may never come, and every later query on it (a transaction's ROLLBACK)
 * would wait out its own timeout behind it: the connection is cut instead, so those fail at once and the pool
 * drops it. And every round trip tells `availability` whether the database answered.
 */
export function guardedClientClass(availability: DatabaseAvailability): typeof Client {
  // Loaded here, on PostgreSQL only: a service on SQLite does not load the driver at start-up.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client: PgClient } = require('pg') as typeof import('pg');
  class GuardedClient extends PgClient {
    // pg's query() has many overloads: the promise form (TypeORM's) and the callback form (the pool's) are watched.
    override query(...args: unknown[]): never {
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        args[args.length - 1] = (error: unknown, result?: unknown) => {
          this.observe(error);
          (callback as Callback)(error, result);
        };
      }
      const result = (super.query as (...a: unknown[]) => unknown)(...args);
      if (typeof callback === 'function' || !isPromise(result)) return result as never;
      return result.then(
        (value) => {
          this.observe(undefined);
          return value;
        },
        (error: unknown) => {
          this.observe(error);
          throw error;
        },
      ) as never;
    }

    private observe(error: unknown): void {
      if (!error || !isDatabaseUnavailable(error)) {
        availability.answered();
        return;
      }
      availability.unanswered();
      if (error instanceof Error && error.message === 'Query read timeout') {
        (this as unknown as { connection: PgConnection }).connection.stream.destroy();
      }
    }
  }
  return GuardedClient;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
