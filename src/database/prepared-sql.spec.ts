import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../auth/entities/session.entity';
import { User } from '../users/entities/user.entity';
import { buildDataSourceOptions } from './data-source-options';
import { IdentityDataSource } from './identity-data-source';
import { PreparedSql } from './prepared-sql';
import { SqliteTransactions } from './sqlite-transactions';

/** SQLite here; on PostgreSQL the e2e suite runs every send through these statements. */
describe('PreparedSql', () => {
  const dataSource = new IdentityDataSource(buildDataSourceOptions({ type: 'sqlite', file: ':memory:' }));
  const at = new Date('2026-11-29T10:11:12.345Z');
  const transaction = <T>(work: Parameters<SqliteTransactions['run']>[0]) =>
    SqliteTransactions.for(dataSource, 1000).run(work) as Promise<T>;

  const byId = new PreparedSql(
    dataSource,
    ({ columns, table, column, parameter }) =>
      `SELECT ${columns('u')} FROM ${table(User)} u WHERE ${column(User, 'id', 'u')} = ${parameter(0)}`,
    User,
  );
  const confirm = new PreparedSql(
    dataSource,
    ({ table, name, parameter }) =>
      `UPDATE ${table(User)} SET ${name(User, 'phoneConfirmed')} = ${parameter(0)}, ` +
      `${name(User, 'phoneConfirmedAt')} = ${parameter(1)} WHERE ${name(User, 'id')} = ${parameter(2)}`,
  );

  beforeAll(async () => {
    await dataSource.initialize();
    await dataSource.runMigrations();
  });

  afterAll(() => dataSource.destroy());

  async function insertUser(): Promise<string> {
    const id = randomUUID();
    await dataSource.manager.insert(User, {
      id,
      email: `${id}@example.com`,
      passwordHash: 'secret-hash',
      phoneE164: '+447123456789',
      phoneCountryCode: '44',
      phoneNationalNumber: '7123456789',
      createdAt: at,
      updatedAt: at,
    });
    return id;
  }

  it('reads an entity exactly as findOneBy does, outside a transaction and inside one', async () => {
    const id = await insertUser();
    const expected = await dataSource.getRepository(User).findOneBy({ id });

    await expect(byId.one(User, [id])).resolves.toEqual(expected);
    const inside = await transaction((manager) => byId.one(User, [id], manager));
    expect(inside).toEqual(expected);
    expect(inside).toBeInstanceOf(User);
    await expect(byId.one(User, [randomUUID()])).resolves.toBeNull();
  });

  it('writes in the transaction, with values as the driver stores them, and answers the rows changed', async () => {
    const id = await insertUser();
    const confirmedAt = new Date('2026-11-29T11:00:00.001Z');

    const changed = await transaction((manager) =>
      confirm.run(
        [
          confirm.value(User, 'phoneConfirmed', true),
          confirm.value(User, 'phoneConfirmedAt', confirmedAt),
          id,
        ],
        manager,
      ),
    );

    expect(changed).toBe(1);
    await expect(byId.one(User, [id])).resolves.toMatchObject({
      phoneConfirmed: true,
      phoneConfirmedAt: confirmedAt,
    });
  });

  it('hydrates a raw value as TypeORM does', async () => {
    const id = await insertUser();
    const [row] = await new PreparedSql(
      dataSource,
      ({ table, column, parameter }) =>
        `SELECT ${column(User, 'createdAt', 'u')} AS created FROM ${table(User)} u WHERE u.id = ${parameter(0)}`,
    ).rows([id]);

    expect(byId.hydrate(User, 'createdAt', row.created)).toEqual(at);
  });

  it('refuses a write outside a transaction', async () => {
    await expect(confirm.run([1, null, randomUUID()], dataSource.manager)).rejects.toThrow(
      'runs in a transaction',
    );
  });

  it('compares dates as the driver stores them: a session expiring after `now` and not revoked', async () => {
    const userId = await insertUser();
    const session = (id: string, expiresAt: Date, revokedAt: Date | null = null) => ({
      id,
      userId,
      authTime: at,
      expiresAt,
      revokedAt,
      revokeReason: null,
      createdAt: at,
    });
    const [live, expired, revoked] = [randomUUID(), randomUUID(), randomUUID()];
    const now = new Date('2026-11-29T12:00:00.000Z');
    await dataSource.manager.insert(Session, [
      session(live, new Date(now.getTime() + 1)),
      session(expired, now),
      session(revoked, new Date(now.getTime() + 60_000), at),
    ]);
    const read = new PreparedSql(
      dataSource,
      ({ columns, table, column, parameter }) =>
        `SELECT ${columns('u')} FROM ${table(User)} u JOIN ${table(Session)} s ON ${column(Session, 'userId', 's')} = ${column(User, 'id', 'u')}` +
        ` WHERE ${column(Session, 'id', 's')} = ${parameter(0)} AND ${column(Session, 'revokedAt', 's')} IS NULL` +
        ` AND ${column(Session, 'expiresAt', 's')} > ${parameter(1)}`,
      User,
    );
    const userOf = (sessionId: string) => read.one(User, [sessionId, read.value(Session, 'expiresAt', now)]);

    await expect(userOf(live)).resolves.toMatchObject({ id: userId });
    await expect(userOf(expired)).resolves.toBeNull();
    await expect(userOf(revoked)).resolves.toBeNull();
  });
});

describe('PreparedSql on a SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prepared-sql-'));
  const dataSource = new IdentityDataSource(
    buildDataSourceOptions({ type: 'sqlite', file: join(dir, 'identity.sqlite') }),
  );
  const at = new Date('2026-11-29T10:11:12.345Z');
  const byId = new PreparedSql(
    dataSource,
    ({ columns, table, column, parameter }) =>
      `SELECT ${columns('u')} FROM ${table(User)} u WHERE ${column(User, 'id', 'u')} = ${parameter(0)}`,
    User,
  );

  beforeAll(async () => {
    await dataSource.initialize();
    await dataSource.runMigrations();
  });

  afterAll(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads outside a transaction on its own connection, which sees committed rows only', async () => {
    const id = randomUUID();
    let seenInside: User | null | undefined;
    await SqliteTransactions.for(dataSource, 1000).run(async (manager) => {
      await manager.insert(User, {
        id,
        email: `${id}@example.com`,
        passwordHash: 'h',
        createdAt: at,
        updatedAt: at,
      });
      // Another request's read while this transaction is open neither waits for it nor sees its row.
      seenInside = await byId.one(User, [id]);
    });

    expect(dataSource.sqliteReader()).toBeDefined();
    expect(seenInside).toBeNull();
    await expect(byId.one(User, [id])).resolves.toMatchObject({ id, createdAt: at });
  });
});
