import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../auth/entities/session.entity';
import { User } from '../users/entities/user.entity';
import { buildDataSourceOptions } from './data-source-options';
import { IdentityDataSource } from './identity-data-source';
import { PreparedRead } from './prepared-read';
import { SqliteTransactions } from './sqlite-transactions';

/** SQLite here; on PostgreSQL every e2e request with a token reads its user through one. */
describe('PreparedRead', () => {
  const dataSource = new IdentityDataSource(buildDataSourceOptions({ type: 'sqlite', file: ':memory:' }));
  const at = new Date('2026-11-29T10:11:12.345Z');

  beforeAll(async () => {
    await dataSource.initialize();
    await dataSource.runMigrations();
  });

  afterAll(() => dataSource.destroy());

  async function insertUser(fields: Partial<User> = {}): Promise<string> {
    const id = randomUUID();
    await dataSource.manager.insert(User, {
      id,
      email: `${id}@example.com`,
      passwordHash: 'secret-hash',
      createdAt: at,
      updatedAt: at,
      ...fields,
    });
    return id;
  }

  const byId = () =>
    new PreparedRead(
      dataSource,
      User,
      ({ columns, table, column, parameter }) =>
        `SELECT ${columns('u')} FROM ${table(User)} u WHERE ${column(User, 'id', 'u')} = ${parameter(0)}`,
    );

  it.each([
    ['without a phone', {}],
    [
      'with a confirmed phone',
      {
        phoneE164: '+447123456789',
        phoneCountryCode: '44',
        phoneNationalNumber: '7123456789',
        phoneConfirmed: true,
        phoneConfirmedAt: at,
      },
    ],
  ])('reads a user %s exactly as findOneBy does, without the password hash', async (_name, fields) => {
    const id = await insertUser(fields);

    const read = await byId().one([id]);

    expect(read).toEqual(await dataSource.getRepository(User).findOneBy({ id }));
    expect(read).toBeInstanceOf(User);
    expect(read?.passwordHash).toBeUndefined();
    expect(read?.createdAt).toEqual(at);
  });

  it('answers null when no row matches', async () => {
    await expect(byId().one([randomUUID()])).resolves.toBeNull();
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
    const read = new PreparedRead(
      dataSource,
      User,
      ({ columns, table, column, parameter }) =>
        `SELECT ${columns('u')} FROM ${table(User)} u JOIN ${table(Session)} s ON ${column(Session, 'userId', 's')} = ${column(User, 'id', 'u')}` +
        ` WHERE ${column(Session, 'id', 's')} = ${parameter(0)} AND ${column(Session, 'revokedAt', 's')} IS NULL` +
        ` AND ${column(Session, 'expiresAt', 's')} > ${parameter(1)}`,
    );
    const userOf = (sessionId: string) => read.one([sessionId, read.value(Session, 'expiresAt', now)]);

    await expect(userOf(live)).resolves.toMatchObject({ id: userId });
    await expect(userOf(expired)).resolves.toBeNull();
    await expect(userOf(revoked)).resolves.toBeNull();
  });
});

describe('PreparedRead on a SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prepared-read-'));
  const dataSource = new IdentityDataSource(
    buildDataSourceOptions({ type: 'sqlite', file: join(dir, 'identity.sqlite') }),
  );
  const at = new Date('2026-11-29T10:11:12.345Z');
  const byId = new PreparedRead(
    dataSource,
    User,
    ({ columns, table, column, parameter }) =>
      `SELECT ${columns('u')} FROM ${table(User)} u WHERE ${column(User, 'id', 'u')} = ${parameter(0)}`,
  );

  beforeAll(async () => {
    await dataSource.initialize();
    await dataSource.runMigrations();
  });

  afterAll(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads on its own connection, which sees committed rows only', async () => {
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
      seenInside = await byId.one([id]);
    });

    expect(dataSource.sqliteReader()).toBeDefined();
    expect(seenInside).toBeNull();
    await expect(byId.one([id])).resolves.toMatchObject({ id, createdAt: at });
  });
});
