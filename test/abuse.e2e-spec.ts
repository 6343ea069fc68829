import { Logger } from '@nestjs/common';
import { Clock } from '../src/common/clock';
import { DATABASE_LABEL, RegisteredUser } from './utils/test-app';
import { Journey, journey } from './utils/verification-journey';
import {
  ProviderUnderTest,
  TestClock,
  TestPhone,
  twilioV1Provider,
  twilioV2Provider,
  uniqueMobile,
} from './utils/verification-providers';

const PAID_PROVIDERS: Array<[string, () => Promise<ProviderUnderTest>]> = [
  ['twilio-v1', twilioV1Provider],
  ['twilio-v2', twilioV2Provider],
];

const retryAfterOf = (response: { headers: Record<string, string> }) =>
  Number(response.headers['retry-after']);

describe.each(PAID_PROVIDERS)(`caps across accounts with %s (${DATABASE_LABEL})`, (_name, makeProvider) => {
  let provider: ProviderUnderTest;
  let j: Journey | undefined;

  beforeAll(async () => {
    provider = await makeProvider();
  });

  afterEach(async () => {
    await j?.app.close();
    j = undefined;
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await provider.close();
  });

  it('gives 100 accounts from one address at most the per-address cap of sends (an IPv6 /64 is one address)', async () => {
    j = await journey(provider);
    const sentBefore = provider.sentCount();
    const statuses: number[] = [];
    for (let i = 0; i < 100; i += 1) {
      const user = await j.register();
      // Every address of one /64, as a client that owns one would use them.
      const response = await j.start(user, { phoneNumber: uniqueMobile().e164 }, `2001:db8:0:1::${i + 1}`);
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.body.code).toBe('SEND_LIMIT_REACHED');
        expect(retryAfterOf(response)).toBeGreaterThan(3500);
        expect(retryAfterOf(response)).toBeLessThanOrEqual(3600);
      }
    }
    expect(statuses.filter((status) => status === 202)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(90);
    expect(provider.sentCount() - sentBefore).toBe(10);

    // Another address is not held back.
    const other = await j.register();
    await j.start(other, { phoneNumber: uniqueMobile().e164 }, '2001:db8:0:2::1').expect(202);
  });

  it('stops sends to one number across many accounts at the per-number cap', async () => {
    j = await journey(provider);
    const victim = uniqueMobile();
    const sentBefore = provider.sentCount();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const user = await j.register();
      const response = await j.start(user, { phoneNumber: victim.e164 }, `203.0.113.${i + 1}`);
      statuses.push(response.status);
      if (response.status !== 202) {
        expect(response.body.code).toBe('SEND_LIMIT_REACHED');
        expect(retryAfterOf(response)).toBeGreaterThan(3500);
      }
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429, 429, 429, 429]);
    expect(provider.sentCount() - sentBefore).toBe(3);
  });

  it('answers 503 VERIFY_BUDGET_EXHAUSTED with an error-level alarm once the service budget is spent', async () => {
    j = await journey(provider, { env: { VERIFY_SEND_BUDGET_PER_HOUR: '4' } });
    const alarms: unknown[] = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => {
      alarms.push(message);
    });
    const sentBefore = provider.sentCount();
    for (let i = 0; i < 4; i += 1) {
      const user = await j.register();
      await j.start(user, { phoneNumber: uniqueMobile().e164 }, `203.0.113.${i + 1}`).expect(202);
    }
    const late = await j.register();
    const refused = await j.start(late, { phoneNumber: uniqueMobile().e164 }, '203.0.113.99');

    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ statusCode: 503, code: 'VERIFY_BUDGET_EXHAUSTED' });
    expect(retryAfterOf(refused)).toBeGreaterThan(3500);
    expect(retryAfterOf(refused)).toBeLessThanOrEqual(3600);
    expect(provider.sentCount() - sentBefore).toBe(4);
    expect(alarms).toEqual([
      expect.objectContaining({ event: 'verification.budget_exhausted', budgetPerHour: 4 }),
    ]);
    // A refused start changed nothing: the number given with it was not stored.
    expect((await j.me(late).expect(200)).body.phoneNumber).toBeNull();
  });

  it('changes nothing on a refused start: the stored number and its pending code stay', async () => {
    j = await journey(provider);
    const user = await j.register();
    const first = uniqueMobile();
    await j.start(user, { phoneNumber: first.e164 }).expect(202);
    const pendingBefore = (await j.status(user).expect(200)).body;
    const sentBefore = provider.sentCount();

    const refusals = [
      // Inside the re-send cooldown.
      [{ phoneNumber: uniqueMobile().e164 }, 429, 'RESEND_TOO_SOON'],
      // A channel this provider does not have.
      [
        { phoneNumber: uniqueMobile().e164, channel: provider.name === 'twilio-v1' ? 'whatsapp' : 'fax' },
        400,
      ],
      // A language the provider does not know: the client's mistake, never a 502.
      [{ phoneNumber: uniqueMobile().e164, locale: 'xx' }, 400, 'VALIDATION_FAILED'],
      [{ phoneNumber: '+44 20 7946 0000' }, 400, 'CHANNEL_NOT_SUPPORTED'],
    ] as const;
    for (const [body, status, code] of refusals) {
      const response = await j.start(user, body);
      expect(response.status).toBe(status);
      if (code) expect(response.body.code).toBe(code);
    }

    expect((await j.me(user).expect(200)).body).toMatchObject({
      phoneNumber: first.e164,
      phoneNumberConfirmed: false,
    });
    expect((await j.status(user).expect(200)).body).toEqual(pendingBefore);
    expect(provider.sentCount()).toBe(sentBefore);
    await j.check(user, provider.codeFor(first)!).expect(200);
  });

  it('puts the stored number back when the provider refuses the new one given with start', async () => {
    j = await journey(provider);
    const user = await j.register();
    const first = uniqueMobile();
    await j.app
      .http()
      .put('/users/me/phone')
      .set({ Authorization: `Bearer ${user.accessToken}` })
      .send({ phoneNumber: first.e164 })
      .expect(200);
    const fake = (provider as unknown as { fake: { failNext(mode: object): void } }).fake;
    fake.failNext(
      provider.name === 'twilio-v1'
        ? { status: 400, errorCode: '60033' }
        : { status: 400, code: 60205, message: 'SMS is not supported by landline phone number' },
    );

    const refused = await j.start(user, { phoneNumber: uniqueMobile().e164 });

    expect(refused.status).toBe(400);
    expect((await j.me(user).expect(200)).body).toMatchObject({ phoneNumber: first.e164 });
    expect((await j.status(user).expect(200)).body.pending).toBeNull();
    // Nothing was spent: the next start goes out at once.
    await j.start(user).expect(202);
  });

  describe('wrong codes per number', () => {
    let clock: TestClock;

    const withClock = async () => {
      clock = new TestClock();
      return journey(provider, {
        // Sends to the number are not what is under test here.
        env: { VERIFY_MAX_SENDS_PER_NUMBER_PER_HOUR: '0' },
        override: (builder) => builder.overrideProvider(Clock).useValue(clock),
      });
    };

    async function accountsHolding(phone: TestPhone, count: number): Promise<RegisteredUser[]> {
      const users: RegisteredUser[] = [];
      for (let i = 0; i < count; i += 1) {
        const user = await j!.register();
        await j!.start(user, { phoneNumber: phone.e164 }, `203.0.113.${i + 1}`).expect(202);
        users.push(user);
      }
      return users;
    }

    it('pools wrong codes of 6 accounts (5 on v2) against one number: the cap holds, and the right code then fails', async () => {
      j = await withClock();
      const victim = uniqueMobile();
      // Verify v2 itself sends to one number at most 5 times in 10 minutes: there, 5 accounts hold the code.
      const accounts = provider.name === 'twilio-v2' ? 5 : 6;
      const users = await accountsHolding(victim, accounts);
      const checksBefore = (provider as { fake?: { checkRequests: number } }).fake?.checkRequests ?? 0;
      const statuses: number[] = [];
      for (let round = 0; round < 4; round += 1) {
        for (const user of users) statuses.push((await j.check(user, j.wrongCodeFor(victim))).status);
      }
      expect(statuses.filter((status) => status === 400)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(4 * accounts - 5);

      for (const user of users) {
        const refused = await j.check(user, provider.codeFor(victim)!).expect(429);
        expect(refused.body.code).toBe('TOO_MANY_ATTEMPTS');
        expect(retryAfterOf(refused)).toBeGreaterThan(500);
      }
      const checksAfter = (provider as { fake?: { checkRequests: number } }).fake?.checkRequests ?? 0;
      expect(checksAfter - checksBefore).toBe(5);
      for (const user of users) expect((await j.me(user).expect(200)).body.phoneNumberConfirmed).toBe(false);
    });

    it('gives a re-sent code no fresh guesses, whoever starts again', async () => {
      j = await withClock();
      const victim = uniqueMobile();
      const [first] = await accountsHolding(victim, 1);
      const code = provider.codeFor(victim)!;
      for (let i = 0; i < 5; i += 1) await j.check(first, j.wrongCodeFor(victim)).expect(400);
      expect((await j.check(first, code).expect(429)).body.code).toBe('TOO_MANY_ATTEMPTS');

      // A new start by the same account and by two others: the provider sends again.
      clock.advanceSeconds(31);
      await j.start(first, {}).expect(202);
      const others = await accountsHolding(victim, 2);
      if (provider.name === 'twilio-v1') expect(provider.codeFor(victim)).toBe(code);
      for (const user of [first, ...others]) {
        expect((await j.check(user, j.wrongCodeFor(victim)).expect(429)).body.code).toBe('TOO_MANY_ATTEMPTS');
        expect((await j.check(user, provider.codeFor(victim)!).expect(429)).body.code).toBe(
          'TOO_MANY_ATTEMPTS',
        );
      }
    });

    it('counts a check that timed out at the provider as a wrong code, for the account and the number', async () => {
      j = await withClock();
      const victim = uniqueMobile();
      const users = await accountsHolding(victim, 2);
      const fake = (provider as unknown as { fake: { failNext(mode: 'hang'): void } }).fake;
      fake.failNext('hang');
      const timedOut = await j.check(users[0], provider.codeFor(victim)!);
      expect(timedOut.status).toBe(504);
      expect(timedOut.body.code).toBe('VERIFY_PROVIDER_TIMEOUT');
      expect((await j.status(users[0]).expect(200)).body.pending.attemptsRemaining).toBe(4);

      for (let i = 0; i < 4; i += 1) await j.check(users[1], j.wrongCodeFor(victim)).expect(400);
      expect((await j.check(users[1], provider.codeFor(victim)!).expect(429)).body.code).toBe(
        'TOO_MANY_ATTEMPTS',
      );
    });
  });

  it("lets no account cancel another's code: a number change or wrong codes leave the other's verification working", async () => {
    j = await journey(provider);
    const shared = uniqueMobile();
    const ada = await j.register();
    const bob = await j.register();
    await j.start(ada, { phoneNumber: shared.e164 }, '203.0.113.1').expect(202);
    await j.start(bob, { phoneNumber: shared.e164 }, '203.0.113.2').expect(202);

    await j.check(ada, j.wrongCodeFor(shared)).expect(400);
    await j.app
      .http()
      .put('/users/me/phone')
      .set({ Authorization: `Bearer ${ada.accessToken}` })
      .send({ phoneNumber: uniqueMobile().e164 })
      .expect(200);
    await j.app
      .http()
      .delete('/users/me/phone')
      .set({ Authorization: `Bearer ${ada.accessToken}` })
      .expect(200);

    const confirmed = await j.check(bob, provider.codeFor(shared)!).expect(200);
    expect(confirmed.body).toMatchObject({ phoneNumberConfirmed: true, phoneNumber: shared.e164 });
  });
});
