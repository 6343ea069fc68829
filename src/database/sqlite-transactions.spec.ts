import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { User } from '../users/entities/user.entity';
import { buildDataSourceOptions } from './data-source-options';
import { IdentityDataSource } from './identity-data-source';
import { SqliteTransactions } from './sqlite-transactions';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

function newUser(): Partial<User> {
  const now = new Date();
  return {
    id: randomUUID(),
    email: `${randomUUID()}@example.com`,
    passwordHash: 'hash',
    phoneConfirmed: false,
    createdAt: now,
    updatedAt: now,
  };
}

describe('SqliteTransactions', () => {
  const file = join(tmpdir(), `identity-sqlite-tx-${process.pid}-${randomUUID()}.sqlite`);
  let dataSource: DataSource;
  let transactions: SqliteTransactions;

  beforeAll(async () => {
    dataSource = new IdentityDataSource(buildDataSourceOptions({ type: 'sqlite', file, timeoutMs: 300 }));
    await dataSource.initialize();
    await dataSource.runMigrations();
    transactions = SqliteTransactions.for(dataSource, 300);
  });

  afterAll(async () => {
    await dataSource.destroy();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  });

  it('keeps a transaction uncommitted write from a concurrent read, which waits for the end', async () => {
    const user = newUser();
    const inserted = deferred();
    const finish = deferred();
    const transaction = transactions.run(async (manager) => {
      await manager.insert(User, user);
      inserted.resolve();
      await finish.promise;
      throw new Error('roll back');
    });
    await inserted.promise;

    const read = dataSource.manager.findOneBy(User, { id: user.id });
    finish.resolve();

    await expect(transaction).rejects.toThrow('roll back');
    await expect(read).resolves.toBeNull();
  });

  it('lets a read that arrived first finish before a transaction begins', async () => {
    const user = newUser();
    await transactions.run((manager) => manager.insert(User, user));

    const read = dataSource.manager.findOneBy(User, { id: user.id });
    const removal = transactions.run((manager) => manager.delete(User, { id: user.id }));

    await expect(read).resolves.toMatchObject({ id: user.id });
    await removal;
    await expect(dataSource.manager.findOneBy(User, { id: user.id })).resolves.toBeNull();
  });

  it('runs transactions one after the other and a nested one inside its outer one', async () => {
    const order: string[] = [];
    const first = transactions.run(async () => {
      order.push('first begins');
      await new Promise((resolve) => setImmediate(resolve));
      const nested = await transactions.run(async () => 'nested');
      order.push(`first ends (${nested})`);
    });
    const second = transactions.run(async () => {
      order.push('second');
    });
    await Promise.all([first, second]);

    expect(order).toEqual(['first begins', 'first ends (nested)', 'second']);
  });

  it('waits for another connection holding the write lock, then writes', async () => {
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const user = newUser();
    const write = transactions.run((manager) => manager.insert(User, user));
    setTimeout(() => other.exec('COMMIT'), 100);

    await write;

    other.close();
    await expect(dataSource.manager.findOneBy(User, { id: user.id })).resolves.toMatchObject({ id: user.id });
  });

  it('fails as SQLITE_BUSY when the lock is held past the timeout, and serves the next one', async () => {
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');

    await expect(transactions.run((manager) => manager.insert(User, newUser()))).rejects.toMatchObject({
      code: 'SQLITE_BUSY',
    });
    other.exec('ROLLBACK');
    other.close();

    const user = newUser();
    await transactions.run((manager) => manager.insert(User, user));
    await expect(dataSource.manager.findOneBy(User, { id: user.id })).resolves.toMatchObject({ id: user.id });
  });

  it('refuses a transaction begun around it, which would share the connection unguarded', async () => {
    await expect(dataSource.transaction(async () => undefined)).rejects.toThrow(/TransactionRunner/);

    const user = newUser();
    await transactions.run((manager) => manager.insert(User, user));
    await expect(dataSource.manager.findOneBy(User, { id: user.id })).resolves.toMatchObject({ id: user.id });
  });
});
