import { createTestApp, DATABASE_LABEL, registerUser, RegisteredUser, TestApp } from './utils/test-app';
import { ProviderUnderTest, twilioV2Provider, uniqueMobile } from './utils/verification-providers';

// Valid numbers (libphonenumber's region "001") that belong to no country: satellite and international networks.
const NO_COUNTRY: Array<Record<string, unknown>> = [
  { phoneNumber: '+881612345678' }, // Iridium
  { phoneNumber: '+870773111632' }, // Inmarsat
  { phoneNumber: '+8823421234' },
  { phoneNumber: '+883510012345' },
  { phoneNumber: '+878101234567890' },
  { countryCode: 881, phoneNumber: '6 1234 5678' },
];

// VoIP ranges of national numbering plans.
const VOIP: Array<Record<string, unknown>> = [
  { phoneNumber: '+445612345678' }, // UK 056
  { countryCode: 44, phoneNumber: '056 1234 5679' },
  { phoneNumber: '+31850000000' }, // Netherlands 085
];

describe(`numbers of no country and VoIP ranges (${DATABASE_LABEL})`, () => {
  let provider: ProviderUnderTest;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    provider = await twilioV2Provider();
  });

  afterAll(async () => {
    await provider.close();
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((testApp) => testApp.close()));
  });

  async function start(env: Record<string, string> = {}): Promise<TestApp> {
    const testApp = await createTestApp({ env: { ...provider.env(), ...env } });
    apps.push(testApp);
    return testApp;
  }

  const auth = (user: RegisteredUser) => ({ Authorization: `Bearer ${user.accessToken}` });

  it.each([
    ['a number of no country', NO_COUNTRY],
    ['a VoIP number', VOIP],
  ])(
    'refuses %s at PUT /users/me/phone and at start, changing and sending nothing',
    async (_kind, bodies) => {
      const testApp = await start();
      const user = await registerUser(testApp);
      const stored = uniqueMobile();
      await testApp
        .http()
        .put('/users/me/phone')
        .set(auth(user))
        .send({ phoneNumber: stored.e164 })
        .expect(200);
      const sentBefore = provider.sentCount();

      for (const body of bodies) {
        const put = await testApp.http().put('/users/me/phone').set(auth(user)).send(body);
        const started = await testApp.http().post('/phone-verification/start').set(auth(user)).send(body);
        for (const response of [put, started]) {
          expect([JSON.stringify(body), response.status, response.body.code]).toEqual([
            JSON.stringify(body),
            400,
            'INVALID_PHONE_NUMBER',
          ]);
        }
      }

      expect(provider.sentCount()).toBe(sentBefore);
      const me = await testApp.http().get('/users/me').set(auth(user)).expect(200);
      expect(me.body).toMatchObject({ phoneNumber: stored.e164, phoneNumberConfirmed: false });
    },
  );

  it('refuses a number of no country as INVALID_PHONE_NUMBER under a country allow-list too', async () => {
    const testApp = await start({ VERIFY_ALLOWED_COUNTRIES: 'GB' });
    const user = await registerUser(testApp);

    const response = await testApp
      .http()
      .put('/users/me/phone')
      .set(auth(user))
      .send({ phoneNumber: '+881612345678' })
      .expect(400);

    expect(response.body.code).toBe('INVALID_PHONE_NUMBER');
  });

  it('accepts VoIP numbers with VERIFY_ALLOW_VOIP=true, and still refuses numbers of no country', async () => {
    const testApp = await start({ VERIFY_ALLOW_VOIP: 'true' });
    const user = await registerUser(testApp);

    const stored = await testApp
      .http()
      .put('/users/me/phone')
      .set(auth(user))
      .send({ phoneNumber: '+445612345678' })
      .expect(200);
    expect(stored.body).toMatchObject({ phoneNumber: '+445612345678', phoneCountryCode: '44' });
    const other = await registerUser(testApp);
    await testApp
      .http()
      .post('/phone-verification/start')
      .set(auth(other))
      .send({ phoneNumber: '+31850000000' })
      .expect(202);

    for (const body of NO_COUNTRY) {
      const response = await testApp.http().put('/users/me/phone').set(auth(user)).send(body);
      expect(response.body.code).toBe('INVALID_PHONE_NUMBER');
    }
  });
});
