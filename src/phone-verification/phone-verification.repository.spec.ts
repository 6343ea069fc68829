import { randomUUID } from 'node:crypto';
import { buildDataSourceOptions } from '../database/data-source-options';
import { IdentityDataSource } from '../database/identity-data-source';
import { SqliteTransactions } from '../database/sqlite-transactions';
import { TransactionRunner } from '../database/transaction-runner';
import { User } from '../users/entities/user.entity';
import { PhoneVerification } from './entities/phone-verification.entity';
import { VerificationEventKind } from './entities/verification-event.entity';
import { PhoneVerificationRepository } from './phone-verification.repository';
import { historyOf } from './policy/event-history';

/** SQLite here; the e2e suite runs the same statements on PostgreSQL. */
describe('PhoneVerificationRepository: what a send reads', () => {
  const dataSource = new IdentityDataSource(buildDataSourceOptions({ type: 'sqlite', file: ':memory:' }));
  const repository = new PhoneVerificationRepository(dataSource);
  const T0 = Date.parse('2026-11-29T10:00:00.000Z');
  const at = (seconds: number) => new Date(T0 + seconds * 1000);

  beforeAll(async () => {
    await dataSource.initialize();
    await dataSource.runMigrations();
  });

  afterAll(() => dataSource.destroy());

  async function userWithEvents(events: Array<[VerificationEventKind, number]>): Promise<string> {
    const userId = randomUUID();
    const verificationId = randomUUID();
    await dataSource.manager.insert(User, {
      id: userId,
      email: `${userId}@example.com`,
      passwordHash: 'h',
      createdAt: at(0),
      updatedAt: at(0),
    });
    await dataSource.manager.insert(PhoneVerification, {
      id: verificationId,
      userId,
      phoneE164: '+447123456789',
      phoneCountryCode: '44',
      phoneNationalNumber: '7123456789',
      channel: 'sms',
      status: 'pending',
      expiresAt: at(600),
      createdAt: at(0),
      updatedAt: at(0),
    });
    await SqliteTransactions.for(dataSource, 1000).run(async (manager) => {
      for (const [kind, seconds] of events)
        await repository.addEvent(manager, { verificationId, userId, kind, at: at(seconds) });
    });
    return userId;
  }

  it('counts the events of each window and answers the k-th newest at the positions asked', async () => {
    const sends = [5, 100, 30, 200, 250, 7];
    const failures = [40, 60];
    const userId = await userWithEvents([
      ...sends.map((s): [VerificationEventKind, number] => ['send', s]),
      ...failures.map((s): [VerificationEventKind, number] => ['failed_check', s]),
    ]);
    await userWithEvents([['send', 150]]);
    const positions = [1, 2, 4, 6, 7];

    const [sendHistory, failureHistory] = await repository.eventHistories(userId, [
      { kind: 'send', since: at(7), positions },
      { kind: 'failed_check', since: at(0), positions: [1, 2, 3] },
    ]);

    // Since 7 s: the send at 7 s itself is not in the window.
    const inWindow = historyOf([30, 100, 200, 250].map(at));
    expect(sendHistory.count).toBe(4);
    expect(positions.map((k) => sendHistory.newest(k))).toEqual(positions.map((k) => inWindow.newest(k)));
    expect(failureHistory.count).toBe(2);
    expect([1, 2, 3].map((k) => failureHistory.newest(k))).toEqual([at(60), at(40), undefined]);
    expect(() => sendHistory.newest(3)).toThrow('not read');
  });

  it('reads the pending verification with the histories, as findPending reads it', async () => {
    const userId = await userWithEvents([['send', 10]]);
    const window = { kind: 'send' as const, since: at(0), positions: [1] };

    const state = await SqliteTransactions.for(dataSource, 1000).run((manager) =>
      repository.pendingAndHistories(userId, [window], manager),
    );

    expect(state.pending).toEqual(await repository.findPending(userId));
    expect(state.pending).toBeInstanceOf(PhoneVerification);
    expect(state.histories[0].newest(1)).toEqual(at(10));
    await dataSource.manager.update(PhoneVerification, { userId }, { status: 'expired' });
    const none = await SqliteTransactions.for(dataSource, 1000).run((manager) =>
      repository.pendingAndHistories(userId, [window], manager),
    );
    expect(none.pending).toBeNull();
    expect(none.histories[0].count).toBe(1);
  });

  it('reads in a transaction as outside one', async () => {
    const userId = await userWithEvents([['send', 10]]);
    const window = { kind: 'send' as const, since: at(0), positions: [1] };

    const inside = await SqliteTransactions.for(dataSource, 1000).run((manager) =>
      repository.eventHistories(userId, [window], manager),
    );

    expect(inside[0].newest(1)).toEqual(at(10));
    expect((await repository.eventHistories(randomUUID(), [window]))[0].count).toBe(0);
  });

  it("stores a send's provider reference on the verification", async () => {
    const userId = await userWithEvents([]);
    const { id } = (await repository.findPending(userId))!;

    await repository.setProviderReference(new TransactionRunner(dataSource), id, 'VE0123456789abcdef');

    expect((await repository.findPending(userId))?.providerReference).toBe('VE0123456789abcdef');
  });
});
