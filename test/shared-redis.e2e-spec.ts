import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { createTestApp, DATABASE_LABEL, removeSqliteFile, TestApp, tempSqliteFile } from './utils/test-app';
import { Journey, journeyOn } from './utils/verification-journey';
import { ProviderUnderTest, twilioV2Provider, uniqueMobile } from './utils/verification-providers';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** Two instances on one database and one Redis trip each cap across accounts at the count one instance would. */
describe(`two instances sharing Redis (${DATABASE_LABEL})`, () => {
  let provider: ProviderUnderTest;
  let redis: Redis;
  let apps: TestApp[] = [];
  let sqliteFile: string;
  let keyPrefix: string;

  beforeAll(async () => {
    provider = await twilioV2Provider();
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await redis.quit();
    await provider.close();
  });

  beforeEach(() => {
    sqliteFile = tempSqliteFile();
    keyPrefix = `e2e-${randomBytes(6).toString('hex')}:`;
  });

  afterEach(async () => {
    await Promise.all(apps.map((app) => app.close()));
    apps = [];
    removeSqliteFile(sqliteFile);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  });

  async function twoInstances(env: Record<string, string>): Promise<[Journey, Journey]> {
    const shared = {
      ...provider.env(),
      REDIS_URL,
      REDIS_KEY_PREFIX: keyPrefix,
      TRUST_PROXY: 'loopback',
      VERIFY_MAX_SENDS_PER_ADDRESS_PER_HOUR: '0',
      VERIFY_MAX_SENDS_PER_NUMBER_PER_HOUR: '0',
      ...env,
    };
    for (let i = 0; i < 2; i += 1) apps.push(await createTestApp({ env: shared, sqliteFile }));
    return [journeyOn(apps[0], provider), journeyOn(apps[1], provider)];
  }

  /** Starts from alternate instances until `attempts` were made; the statuses in order. */
  async function alternateStarts(
    instances: [Journey, Journey],
    attempts: number,
    request: (i: number) => { phoneNumber: string; client: string },
  ): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < attempts; i += 1) {
      const j = instances[i % 2];
      const { phoneNumber, client } = request(i);
      const response = await j.start(await j.register(), { phoneNumber }, client);
      statuses.push(response.status);
    }
    return statuses;
  }

  it('trip the per-address cap at the same count', async () => {
    const instances = await twoInstances({ VERIFY_MAX_SENDS_PER_ADDRESS_PER_HOUR: '4' });
    const statuses = await alternateStarts(instances, 6, () => ({
      phoneNumber: uniqueMobile().e164,
      client: '198.51.100.7',
    }));
    expect(statuses).toEqual([202, 202, 202, 202, 429, 429]);
  });

  it('trip the per-number cap at the same count', async () => {
    const instances = await twoInstances({ VERIFY_MAX_SENDS_PER_NUMBER_PER_HOUR: '3' });
    const victim = uniqueMobile().e164;
    const statuses = await alternateStarts(instances, 5, (i) => ({
      phoneNumber: victim,
      client: `198.51.100.${i + 1}`,
    }));
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
  });

  it('trip the service budget at the same count', async () => {
    const instances = await twoInstances({ VERIFY_SEND_BUDGET_PER_HOUR: '3' });
    const statuses = await alternateStarts(instances, 5, (i) => ({
      phoneNumber: uniqueMobile().e164,
      client: `198.51.100.${i + 1}`,
    }));
    expect(statuses).toEqual([202, 202, 202, 503, 503]);
  });

  it('trip the wrong-code cap of a number at the same count, and keep every counter expiring', async () => {
    const [one, two] = await twoInstances({});
    const victim = uniqueMobile();
    const ada = await one.register();
    const bob = await two.register();
    await one.start(ada, { phoneNumber: victim.e164 }, '198.51.100.1').expect(202);
    await two.start(bob, { phoneNumber: victim.e164 }, '198.51.100.2').expect(202);

    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await one.check(ada, one.wrongCodeFor(victim))).status);
      statuses.push((await two.check(bob, two.wrongCodeFor(victim))).status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);

    const keys = await redis.keys(`${keyPrefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
    expect(ttls.every((ttl) => ttl > 0)).toBe(true);
  });

  it('trip the daily wrong-code cap of a number at the same count', async () => {
    const [one, two] = await twoInstances({ VERIFY_MAX_FAILED_CHECKS_PER_DAY: '3' });
    const victim = uniqueMobile();
    const ada = await one.register();
    const bob = await two.register();
    await one.start(ada, { phoneNumber: victim.e164 }, '198.51.100.1').expect(202);
    await two.start(bob, { phoneNumber: victim.e164 }, '198.51.100.2').expect(202);

    // Neither account reaches its own daily cap of 3: the number's does, across both instances.
    const statuses = [
      (await one.check(ada, one.wrongCodeFor(victim))).status,
      (await two.check(bob, two.wrongCodeFor(victim))).status,
      (await one.check(ada, one.wrongCodeFor(victim))).status,
      (await two.check(bob, two.wrongCodeFor(victim))).status,
      (await one.check(bob, one.wrongCodeFor(victim))).status,
    ];
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
    const refused = await two.check(bob, provider.codeFor(victim)!).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(86_000);
  });

  it('send one code for parallel starts with one Idempotency-Key spread over both instances', async () => {
    const [one, two] = await twoInstances({});
    const user = await one.register();
    const body = { phoneNumber: uniqueMobile().e164 };
    const sentBefore = provider.sentCount();

    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? two : one).start(user, body).set('Idempotency-Key', 'tap'),
      ),
    );

    expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(202));
    for (const answer of answers) expect(answer.body).toEqual(answers[0].body);
    expect(provider.sentCount() - sentBefore).toBe(1);
  });
});
