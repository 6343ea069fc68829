import { Client } from 'pg';
import { DatabaseAvailability } from './database-availability';
import { isDatabaseUnavailable } from './database-errors';

interface PgConnection {
  stream: { destroy(): void };
}

/**
 * pg's Client, with two changes. A query that times out on the client side (`query_timeout`) leaves the
 * connection waiting for an answer that may never come, and every later query on it (a transaction's ROLLBACK)
 * would wait out its own timeout behind it: the connection is cut instead, so those fail at once and the pool
 * drops it. And every round trip tells `availability` whether the database answered.
 */
export function guardedClientClass(availability: DatabaseAvailability): typeof Client {
  class GuardedClient extends Client {
    // pg's query() has many overloads; only the promise form (TypeORM's) is watched.
    override query(...args: unknown[]): never {
      const result = (super.query as (...a: unknown[]) => unknown)(...args);
      if (!isPromise(result)) return result as never;
      return result.then(
        (value) => {
          availability.answered();
          return value;
        },
        (error: unknown) => {
          if (!isDatabaseUnavailable(error)) {
            availability.answered();
          } else {
            availability.unanswered();
            if (error instanceof Error && error.message === 'Query read timeout') this.cut();
          }
          throw error;
        },
      ) as never;
    }

    private cut(): void {
      (this as unknown as { connection: PgConnection }).connection.stream.destroy();
    }
  }
  return GuardedClient;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
