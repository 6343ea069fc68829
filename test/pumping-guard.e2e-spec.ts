import { randomBytes, randomInt } from 'node:crypto';
import { LOG_LEVELS, LogCapture } from './utils/log-capture';
import {
  createTestApp,
  DATABASE_LABEL,
  registerUser,
  removeSqliteFile,
  TestApp,
  tempSqliteFile,
} from './utils/test-app';
import {
  ProviderUnderTest,
  TestPhone,
  twilioV1Provider,
  twilioV2Provider,
  uniqueMobile,
} from './utils/verification-providers';

const ALARM = 'verification.pumping_suspected';
const MIN_SENDS = 4;

/** A French mobile (+33 6 1...: every number of that range is valid): a second country beside the UK's. */
function uniqueFrenchMobile(): TestPhone {
  const nationalNumber = `61${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  return { e164: `+33${nationalNumber}`, countryCode: '33', nationalNumber, typed: `0${nationalNumber}` };
}

interface Started {
  status: number;
  body: Record<string, unknown>;
  phone: TestPhone;
  auth: { Authorization: string };
}

describe.each([
  ['twilio-v1', twilioV1Provider],
  ['twilio-v2', twilioV2Provider],
])(`the pumping guard (%s, ${DATABASE_LABEL})`, (_name, createProvider) => {
  let provider: ProviderUnderTest;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    provider = await createProvider();
  });

  afterAll(async () => {
    await provider.close();
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((testApp) => testApp.close()));
  });

  async function start(
    mode: string,
    extra: Record<string, string> = {},
    sqliteFile?: string,
  ): Promise<[TestApp, LogCapture]> {
    const logs = new LogCapture();
    const testApp = await createTestApp({
      env: {
        ...provider.env(),
        VERIFY_PUMPING_GUARD: mode,
        VERIFY_PUMPING_MIN_SENDS: String(MIN_SENDS),
        VERIFY_PUMPING_MIN_CONVERSION: '0.5',
        // Every send of these tests comes from one address to fresh numbers: only the guard may stop them.
        VERIFY_MAX_SENDS_PER_ADDRESS_PER_HOUR: '0',
        VERIFY_SEND_BUDGET_PER_HOUR: '0',
        ...extra,
      },
      override: logs.override,
      sqliteFile,
    });
    apps.push(testApp);
    return [testApp, logs];
  }

  /** A fresh account starts a verification of a fresh number. */
  async function send(testApp: TestApp, phone: TestPhone = uniqueMobile()): Promise<Started> {
    const account = await registerUser(testApp);
    const auth = { Authorization: `Bearer ${account.accessToken}` };
    const response = await testApp
      .http()
      .post('/phone-verification/start')
      .set(auth)
      .send({ phoneNumber: phone.e164 });
    return { status: response.status, body: response.body as Record<string, unknown>, phone, auth };
  }

  async function confirm(testApp: TestApp, started: Started): Promise<void> {
    await testApp
      .http()
      .post('/phone-verification/check')
      .set(started.auth)
      .send({ code: provider.codeFor(started.phone) })
      .expect(200);
  }

  it('alarm: logs one error-level event per country per hour on a low-conversion burst, and sends on', async () => {
    const [testApp, logs] = await start('alarm');
    const burst: Started[] = [];
    for (let i = 0; i < MIN_SENDS - 1; i += 1) burst.push(await send(testApp));
    expect(logs.events(ALARM)).toEqual([]);

    burst.push(await send(testApp));
    for (let i = 0; i < MIN_SENDS * 2; i += 1) burst.push(await send(testApp));
    expect(burst.map((started) => started.status)).toEqual(burst.map(() => 202));

    const alarms = logs.events(ALARM);
    expect(alarms).toHaveLength(1);
    expect(alarms[0].level).toBe(LOG_LEVELS.error);
    expect(alarms[0]).toMatchObject({
      context: 'PumpingGuard',
      country: 'GB',
      sends: MIN_SENDS,
      approvals: 0,
    });

    // Another country is judged on its own counts.
    for (let i = 0; i < MIN_SENDS; i += 1)
      expect((await send(testApp, uniqueFrenchMobile())).status).toBe(202);
    const countries = logs.events(ALARM).map((line) => line.country);
    expect(countries).toEqual(['GB', 'FR']);
    for (const started of burst) expect(logs.text).not.toContain(started.phone.nationalNumber);
  });

  it('alarm: stays quiet while enough codes are confirmed', async () => {
    const [testApp, logs] = await start('alarm');
    // Three codes in four confirmed: judged at each send, before its own code could be confirmed.
    for (let i = 0; i < MIN_SENDS * 3; i += 1) {
      const started = await send(testApp);
      expect(started.status).toBe(202);
      if (i % 4 !== 3) await confirm(testApp, started);
    }
    expect(logs.events(ALARM)).toEqual([]);
  });

  it('block: answers 403 DESTINATION_BLOCKED without paying for a send, until the conversion recovers', async () => {
    const [testApp, logs] = await start('block');
    // Two confirmed, then unconfirmed sends until the conversion (2 of 5) falls below one half.
    for (let i = 0; i < 2; i += 1) await confirm(testApp, await send(testApp));
    const pending: Started[] = [];
    for (let i = 0; i < 3; i += 1) pending.push(await send(testApp));
    expect(pending.map((started) => started.status)).toEqual([202, 202, 202]);
    expect(logs.events(ALARM)).toHaveLength(1);
    const sentBefore = provider.sentCount();

    const blocked = await send(testApp);

    expect(blocked.status).toBe(403);
    expect(blocked.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      code: 'DESTINATION_BLOCKED',
      message: 'Sending codes to numbers of this country is paused: try again later',
    });
    expect(provider.sentCount()).toBe(sentBefore);
    expect((await send(testApp)).status).toBe(403);
    expect((await send(testApp, uniqueFrenchMobile())).status).toBe(202);
    expect(logs.events(ALARM)).toHaveLength(1);
    expect(logs.events(ALARM)[0].level).toBe(LOG_LEVELS.error);

    // One of the pending codes is confirmed: 3 of 5, the country is open again.
    await confirm(testApp, pending[0]);
    expect((await send(testApp)).status).toBe(202);
  });

  it('off: neither alarms nor blocks', async () => {
    const [testApp, logs] = await start('off');
    const burst: Started[] = [];
    for (let i = 0; i < MIN_SENDS * 3; i += 1) burst.push(await send(testApp));
    expect(burst.map((started) => started.status)).toEqual(burst.map(() => 202));
    expect(logs.events(ALARM)).toEqual([]);
    expect(logs.text).not.toContain('pumping');
  });

  it('two instances sharing Redis block at the same count as one, with one alarm between them', async () => {
    const countUntilBlocked = async (instances: TestApp[]) => {
      for (let sent = 0; sent < MIN_SENDS * 3; sent += 1) {
        const started = await send(instances[sent % instances.length]);
        if (started.status === 403) return sent;
        expect(started.status).toBe(202);
      }
      throw new Error('never blocked');
    };
    // One database for the three apps, as for instances of one deployment.
    const sqliteFile = tempSqliteFile();
    const shared = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `e2e-${randomBytes(6).toString('hex')}:`,
    };
    const [first, firstLogs] = await start('block', shared, sqliteFile);
    const [second, secondLogs] = await start('block', shared, sqliteFile);
    const [alone] = await start(
      'block',
      { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `e2e-${randomBytes(6).toString('hex')}:` },
      sqliteFile,
    );

    expect(await countUntilBlocked([first, second])).toBe(MIN_SENDS);
    expect(await countUntilBlocked([alone])).toBe(MIN_SENDS);
    expect(firstLogs.events(ALARM).length + secondLogs.events(ALARM).length).toBe(1);
    // Blocked on both instances.
    expect((await send(first)).status).toBe(403);
    expect((await send(second)).status).toBe(403);
    await Promise.all(apps.splice(0).map((testApp) => testApp.close()));
    removeSqliteFile(sqliteFile);
  });
});
