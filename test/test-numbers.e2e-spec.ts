import { DATABASE_LABEL } from './utils/test-app';
import { Journey, journey } from './utils/verification-journey';
import { ProviderUnderTest, twilioV2Provider } from './utils/verification-providers';

const TEST_NUMBER = '+447700900123';
const TEST_CODE = '123456';

describe(`test numbers (${DATABASE_LABEL})`, () => {
  let provider: ProviderUnderTest;
  let j: Journey;

  beforeAll(async () => {
    provider = await twilioV2Provider();
    j = await journey(provider, {
      env: {
        VERIFY_TEST_NUMBERS: `${TEST_NUMBER}=${TEST_CODE},+15555550100=000000`,
        VERIFY_MAX_SENDS_PER_HOUR: '3',
      },
    });
  });

  afterAll(async () => {
    await j.app.close();
    await provider.close();
  });

  it('confirms a listed fictional number with its listed code, without calling the provider', async () => {
    const user = await j.register();
    const sentBefore = provider.sentCount();

    const sent = await j.start(user, { countryCode: 44, phoneNumber: '07700 900123' }).expect(202);
    expect(sent.body).toMatchObject({ status: 'pending', to: '+44******123' });
    const wrong = await j.check(user, '654321').expect(400);
    expect(wrong.body).toMatchObject({ code: 'INVALID_CODE', attemptsRemaining: 4 });
    const confirmed = await j.check(user, TEST_CODE).expect(200);

    expect(confirmed.body).toMatchObject({ phoneNumberConfirmed: true, phoneNumber: TEST_NUMBER });
    expect(provider.sentCount()).toBe(sentBefore);
  });

  it('has no cooldown and no per-number cap, but the per-user hourly cap holds', async () => {
    const user = await j.register();
    for (let i = 0; i < 3; i += 1) await j.start(user, { phoneNumber: '+15555550100' }).expect(202);
    const capped = await j.start(user).expect(429);
    expect(capped.body.code).toBe('SEND_LIMIT_REACHED');
    expect(Number(capped.headers['retry-after'])).toBeGreaterThan(3500);

    // Other accounts may use the number past the per-number cap of 3.
    for (let i = 0; i < 2; i += 1)
      await j.start(await j.register(), { phoneNumber: '+15555550100' }).expect(202);
  });

  it('refuses an unlisted number of the same fictional range', async () => {
    const user = await j.register();
    const refused = await j.start(user, { phoneNumber: '+447700900124' }).expect(400);
    expect(refused.body.code).toBe('INVALID_PHONE_NUMBER');
  });
});
