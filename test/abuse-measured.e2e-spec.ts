import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Clock } from '../src/common/clock';
import { DATABASE_LABEL, RegisteredUser, uniqueEmail } from './utils/test-app';
import { Journey, journey } from './utils/verification-journey';
import { TestClock, TestPhone, twilioV2Provider, uniqueMobile } from './utils/verification-providers';
import type { FakeVerifyV2Server } from './fakes/fake-verify-v2.server';

const REDIS_URL = 'redis://127.0.0.1:6379';
const MINUTE = 60;

/**
 * What one attacker with one client address and as many accounts as they like obtains in one hour, with the
 * default settings. Time is simulated: every minute of the hour the attacker tries until refused, then the
 * service's clock, the provider's clock and the remaining life of every counter in Redis move on by a minute.
 * The numbers must equal the table in README.md ("Abuse and cost"), so the README cannot drift from them.
 */
describe(`what one attacker with one address obtains in an hour (${DATABASE_LABEL})`, () => {
  let j: Journey;
  let fake: FakeVerifyV2Server;
  let closeProvider: () => Promise<void>;
  let clock: TestClock;
  let redis: Redis;
  const keyPrefix = `e2e-${randomBytes(6).toString('hex')}:`;
  const measured: Record<string, number> = {};

  beforeAll(async () => {
    const provider = await twilioV2Provider();
    fake = provider.fake;
    closeProvider = () => provider.close();
    clock = new TestClock();
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    // The defaults of every limit (the test app turns the cross-account caps off, journey() turns them on).
    j = await journey(provider, {
      env: { REDIS_URL, REDIS_KEY_PREFIX: keyPrefix, THROTTLE_LIMIT: '100000' },
      override: (builder) => builder.overrideProvider(Clock).useValue(clock),
    });
  });

  afterAll(async () => {
    await j.app.close();
    await closeProvider();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  /** Moves every clock the limits read forward: the service's, the provider's, and each Redis counter's life. */
  async function advance(seconds: number): Promise<void> {
    clock.advanceSeconds(seconds);
    fake.advanceTime(seconds * 1000);
    for (const key of await redis.keys(`${keyPrefix}*`)) {
      const ttl = await redis.pttl(key);
      if (ttl < 0) continue;
      if (ttl <= seconds * 1000) await redis.del(key);
      else await redis.pexpire(key, ttl - seconds * 1000);
    }
  }

  /** Runs `minute` for each minute of one hour; the sum of what it obtained. */
  async function overAnHour(minute: () => Promise<number>): Promise<number> {
    let obtained = 0;
    for (let elapsed = 0; elapsed < 3600; elapsed += MINUTE) {
      obtained += await minute();
      await advance(MINUTE);
    }
    return obtained;
  }

  it('paid codes to numbers of the attacker’s choosing (SMS pumping)', async () => {
    const address = '198.51.100.10';
    let account = await j.register();
    measured.pumping = await overAnHour(async () => {
      let sent = 0;
      for (;;) {
        const response = await j.start(account, { phoneNumber: uniqueMobile().e164 }, address);
        if (response.status !== 202) return sent;
        sent += 1;
        account = await j.register();
      }
    });
  });

  it('codes sent to one victim’s number (SMS bombing)', async () => {
    const address = '198.51.100.11';
    const victim = uniqueMobile();
    let account = await j.register();
    measured.bombing = await overAnHour(async () => {
      let sent = 0;
      for (;;) {
        const response = await j.start(account, { phoneNumber: victim.e164 }, address);
        if (response.status !== 202) return sent;
        sent += 1;
        account = await j.register();
      }
    });
  });

  it('wrong codes judged against one victim’s number (guessing a code)', async () => {
    const address = '198.51.100.12';
    const victim = uniqueMobile();
    // Accounts holding a live code for the number; a new one is started whenever the caps let it.
    const holders: RegisteredUser[] = [];
    measured.guesses = await overAnHour(async () => {
      const holder = await j.register();
      if ((await j.start(holder, { phoneNumber: victim.e164 }, address)).status === 202) holders.push(holder);
      let judged = 0;
      for (const account of holders) {
        for (;;) {
          const response = await j.check(account, wrongCode(victim));
          if (response.status !== 400 || response.body.code !== 'INVALID_CODE') break;
          judged += 1;
        }
      }
      return judged;
    });
  });

  it('wrong passwords against one account', async () => {
    const address = '198.51.100.13';
    const victim = await j.register();
    measured.passwordsOneAccount = await overAnHour(async () => {
      let judged = 0;
      while ((await login(victim.email, 'not-the-password', address)).status === 401) judged += 1;
      return judged;
    });
  });

  it('wrong passwords across accounts (password spraying)', async () => {
    const address = '198.51.100.14';
    measured.passwordsSpraying = await overAnHour(async () => {
      let judged = 0;
      while ((await login(uniqueEmail('sprayed'), 'Password1!', address)).status === 401) judged += 1;
      return judged;
    });
  });

  it('match the table in README.md', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const table =
      readme.split('<!-- measured-abuse:start -->')[1]?.split('<!-- measured-abuse:end -->')[0] ?? '';
    const documented = Object.fromEntries(
      [...table.matchAll(/^\| (.+?) \| (\d+) \|/gm)].map(([, what, count]) => [what.trim(), Number(count)]),
    );
    expect(measured).toEqual({
      pumping: 10,
      bombing: 3,
      guesses: 5,
      passwordsOneAccount: 30,
      passwordsSpraying: 200,
    });
    expect(documented).toEqual({
      'Paid codes to numbers of their choosing (SMS pumping)': measured.pumping,
      'Codes sent to one victim’s number (SMS bombing)': measured.bombing,
      'Wrong codes judged against one victim’s number': measured.guesses,
      'Wrong passwords against one account': measured.passwordsOneAccount,
      'Wrong passwords across accounts (spraying)': measured.passwordsSpraying,
    });
  });

  function login(email: string, password: string, address: string) {
    return j.app.http().post('/auth/login').set('X-Forwarded-For', address).send({ email, password });
  }

  function wrongCode(phone: TestPhone): string {
    return j.wrongCodeFor(phone);
  }
});
