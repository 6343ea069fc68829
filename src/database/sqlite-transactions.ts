import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** Blocking wait of SQLite's own busy handler: short, because it stops the event loop. */
const BUSY_HANDLER_MS = 10;
const RETRY_MIN_MS = 5;
const RETRY_MAX_MS = 50;

type Query = QueryRunner['query'];
interface Waiter {
  kind: 'read' | 'transaction';
  grant: () => void;
}

/**
 * Transactions on SQLite, where TypeORM holds one connection for the whole process.
 *
 * - Every transaction starts with `BEGIN IMMEDIATE`, which takes the file's write lock at once: another process
 *   (a second instance, the CLI) that holds it makes this one wait, asynchronously, up to `timeoutMs`, and
 *   then the request fails as `SQLITE_BUSY` (503). A deferred `BEGIN` could instead fail half-way through.
 * - One transaction runs at a time on the connection; every statement from outside the running transaction
 *   (a plain read, from another request) waits until it has committed or rolled back, so no request ever
 *   reads another request's uncommitted write. Statements take microseconds (better-sqlite3 is synchronous),
 *   and transactions never wait for a provider, so the waits are short.
 * - Waiters are served in arrival order: a stream of transactions cannot starve reads, nor reads a transaction.
 */
export class SqliteTransactions {
  private readonly context = new AsyncLocalStorage<symbol>();
  private readonly queue: Waiter[] = [];
  private running: symbol | null = null;
  private reads = 0;

  private constructor(
    private readonly dataSource: DataSource,
    private readonly timeoutMs: number,
  ) {
    const runner = dataSource.createQueryRunner();
    const query: Query = runner.query.bind(runner);
    runner.query = ((sql: string, ...rest: unknown[]) => this.route(query, sql, rest)) as Query;
    (
      dataSource.driver as unknown as { databaseConnection: { pragma(sql: string): unknown } }
    ).databaseConnection.pragma(`busy_timeout = ${BUSY_HANDLER_MS}`);
  }

  private static readonly installed = new WeakMap<DataSource, SqliteTransactions>();

  /** One per DataSource: it wraps the DataSource's single query runner. */
  static for(dataSource: DataSource, timeoutMs: number): SqliteTransactions {
    let transactions = SqliteTransactions.installed.get(dataSource);
    if (!transactions) {
      transactions = new SqliteTransactions(dataSource, timeoutMs);
      SqliteTransactions.installed.set(dataSource, transactions);
    }
    return transactions;
  }

  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const outer = this.context.getStore();
    // A unit of work started inside another joins it: waiting for the outer one to end would never end.
    if (outer !== undefined && outer === this.running)
      return work(this.dataSource.createQueryRunner().manager);
    const token = await this.acquireTransaction();
    try {
      return await this.context.run(token, () => this.transaction(work));
    } finally {
      this.running = null;
      this.dispatch();
    }
  }

  private async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
    } catch (error) {
      // TypeORM marks the transaction active before BEGIN and leaves it so when BEGIN fails.
      (runner as { isTransactionActive: boolean }).isTransactionActive = false;
      throw error;
    }
    try {
      const result = await work(runner.manager);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  }

  private async route(query: Query, sql: string, rest: unknown[]): Promise<unknown> {
    const store = this.context.getStore();
    if (store !== undefined && store === this.running) {
      return sql === 'BEGIN TRANSACTION' ? this.beginImmediate(query) : query(sql, ...(rest as []));
    }
    // A transaction begun elsewhere (`dataSource.transaction`, `save`) would share the one connection with every
    // other request unguarded: refuse it loudly.
    if (sql === 'BEGIN TRANSACTION') {
      throw new Error('On SQLite every transaction runs through TransactionRunner (SqliteTransactions)');
    }
    const wait = this.acquireRead();
    if (wait) await wait;
    try {
      return await query(sql, ...(rest as []));
    } finally {
      this.reads -= 1;
      this.dispatch();
    }
  }

  /** Takes the write lock, waiting asynchronously while another process holds it. */
  private async beginImmediate(query: Query): Promise<unknown> {
    const deadline = Date.now() + this.timeoutMs;
    for (let pause = RETRY_MIN_MS; ; pause = Math.min(RETRY_MAX_MS, pause * 2)) {
      try {
        return await query('BEGIN IMMEDIATE TRANSACTION');
      } catch (error) {
        if (!isBusy(error) || Date.now() + pause > deadline) throw error;
      }
      await sleep(pause);
    }
  }

  /** A read runs when no transaction holds the connection and nobody waits before it. */
  private acquireRead(): Promise<void> | undefined {
    if (this.queue.length === 0 && this.running === null) {
      this.reads += 1;
      return undefined;
    }
    // dispatch() counts it in when it grants it.
    return new Promise((grant) => this.queue.push({ kind: 'read', grant }));
  }

  /** A transaction holds the connection from the moment it is granted: `running` is its token. */
  private acquireTransaction(): Promise<symbol> {
    const token = Symbol('transaction');
    if (this.queue.length === 0 && this.running === null && this.reads === 0) {
      this.running = token;
      return Promise.resolve(token);
    }
    return new Promise((resolve) =>
      this.queue.push({
        kind: 'transaction',
        grant: () => {
          this.running = token;
          resolve(token);
        },
      }),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.running === null) {
      const next = this.queue[0];
      if (next.kind === 'transaction' && this.reads > 0) return;
      this.queue.shift();
      if (next.kind === 'read') this.reads += 1;
      next.grant();
    }
  }
}

function isBusy(error: unknown): boolean {
  const { code, driverError } = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  const value = typeof code === 'string' ? code : driverError?.code;
  return typeof value === 'string' && value.startsWith('SQLITE_BUSY');
}
