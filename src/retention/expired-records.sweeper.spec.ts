import { randomUUID } from 'node:crypto';
import { RefreshToken } from '../auth/entities/refresh-token.entity';
import { Session } from '../auth/entities/session.entity';
import { SessionsRepository } from '../auth/sessions.repository';
import { Clock } from '../common/clock';
import { buildDataSourceOptions } from '../database/data-source-options';
import { IdentityDataSource } from '../database/identity-data-source';
import { TransactionRunner } from '../database/transaction-runner';
import { IdempotencyRecord } from '../idempotency/idempotency-record.entity';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { User } from '../users/entities/user.entity';
import { ExpiredRecordsSweeper } from './expired-records.sweeper';

/** SQLite here; the e2e suite runs the app, and with it these statements, on PostgreSQL. */
describe('ExpiredRecordsSweeper', () => {
  const NOW = new Date('2026-11-30T10:00:00.000Z');
  const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
  const clock: Clock = { now: () => NOW };
  let dataSource: IdentityDataSource;
  let sweeper: ExpiredRecordsSweeper;

  beforeEach(async () => {
    dataSource = new IdentityDataSource(buildDataSourceOptions({ type: 'sqlite', file: ':memory:' }));
    await dataSource.initialize();
    await dataSource.runMigrations();
    const transactions = new TransactionRunner(dataSource);
    sweeper = new ExpiredRecordsSweeper(
      new SessionsRepository(dataSource),
      new IdempotencyService(dataSource, transactions, clock),
      transactions,
      clock,
    );
  });

  afterEach(async () => {
    sweeper.onApplicationShutdown();
    if (dataSource.isInitialized) await dataSource.destroy();
  });

  async function user(): Promise<string> {
    const id = randomUUID();
    await dataSource.manager.insert(User, {
      id,
      email: `${id}@example.com`,
      passwordHash: 'h',
      createdAt: minutes(-100),
      updatedAt: minutes(-100),
    });
    return id;
  }

  async function session(userId: string, expiresAt: Date, revokedAt: Date | null = null): Promise<string> {
    const id = randomUUID();
    await dataSource.manager.insert(Session, {
      id,
      userId,
      authTime: minutes(-100),
      expiresAt,
      revokedAt,
      revokeReason: revokedAt ? 'logout' : null,
      createdAt: minutes(-100),
    });
    await dataSource.manager.insert(RefreshToken, {
      tokenHash: randomUUID().replace(/-/g, '').padEnd(64, '0'),
      sessionId: id,
      expiresAt,
      spentAt: null,
      createdAt: minutes(-100),
    });
    return id;
  }

  async function idempotencyKey(userId: string, expiresAt: Date): Promise<string> {
    const key = randomUUID();
    await dataSource.manager.insert(IdempotencyRecord, {
      userId,
      key,
      requestHash: '0'.repeat(64),
      statusCode: 202,
      answer: '{}',
      createdAt: minutes(-100),
      expiresAt,
    });
    return key;
  }

  const sessionIds = async () => (await dataSource.manager.find(Session)).map((s) => s.id).sort();
  const keys = async () => (await dataSource.manager.find(IdempotencyRecord)).map((k) => k.key).sort();

  it('deletes expired sessions with their refresh tokens and expired idempotency keys, and nothing else', async () => {
    const someone = await user();
    const expired = await session(someone, minutes(-1));
    const endsNow = await session(someone, NOW);
    const running = await session(someone, minutes(30));
    const loggedOutButUnexpired = await session(someone, minutes(30), minutes(-5));
    const oldKey = await idempotencyKey(someone, minutes(-1));
    const liveKey = await idempotencyKey(someone, minutes(1));

    const result = await sweeper.sweep();

    expect(result).toEqual({ sessions: 2, idempotencyKeys: 1 });
    expect(await sessionIds()).toEqual([running, loggedOutButUnexpired].sort());
    expect(await sessionIds()).not.toContain(expired);
    expect(await sessionIds()).not.toContain(endsNow);
    const tokens = await dataSource.manager.find(RefreshToken);
    expect(tokens.map((t) => t.sessionId).sort()).toEqual([running, loggedOutButUnexpired].sort());
    expect(await keys()).toEqual([liveKey]);
    expect(await keys()).not.toContain(oldKey);
  });

  it('deletes batch after batch until none is left', async () => {
    const users = await Promise.all([user(), user()]);
    for (const [index, userId] of [...users, ...users, users[0]].entries()) {
      await session(userId, minutes(-1 - index));
      await idempotencyKey(userId, minutes(-1 - index));
    }
    const running = await session(users[1], minutes(5));

    expect(await sweeper.sweep(2)).toEqual({ sessions: 5, idempotencyKeys: 5 });
    expect(await sessionIds()).toEqual([running]);
    expect(await keys()).toEqual([]);
  });

  it('survives a database that fails, and sweeps again once it answers', async () => {
    const expired = await session(await user(), minutes(-1));
    const failing = jest.spyOn(dataSource, 'createQueryRunner').mockImplementation(() => {
      throw new Error('connection refused');
    });

    await expect(sweeper.sweep()).resolves.toEqual({ sessions: 0, idempotencyKeys: 0 });
    failing.mockRestore();
    expect(await sessionIds()).toEqual([expired]);

    expect((await sweeper.sweep()).sessions).toBe(1);
    expect(await sessionIds()).toEqual([]);
  });
});
