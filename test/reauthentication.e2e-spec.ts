import { Clock } from '../src/common/clock';
import {
  claimsOf,
  createTestApp,
  DATABASE_LABEL,
  registerUser,
  RegisteredUser,
  TestApp,
  TokenPairBody,
} from './utils/test-app';
import {
  logProvider,
  ProviderUnderTest,
  TestClock,
  TestPhone,
  uniqueMobile,
} from './utils/verification-providers';

const REAUTH_CHALLENGE =
  'Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required"';

describe(`recent authentication for a confirmed number (${DATABASE_LABEL})`, () => {
  let provider: ProviderUnderTest;
  let clock: TestClock;
  let testApp: TestApp;

  beforeAll(async () => {
    provider = await logProvider();
    clock = new TestClock();
    testApp = await createTestApp({
      env: { ...provider.env(), REAUTH_MAX_AGE_SECONDS: '300' },
      override: (builder) => builder.overrideProvider(Clock).useValue(clock),
    });
  });

  afterAll(async () => {
    await testApp.close();
    await provider.close();
  });

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const putPhone = (token: string, phoneNumber: string) =>
    testApp.http().put('/users/me/phone').set(as(token)).send({ phoneNumber });
  const deletePhone = (token: string) => testApp.http().delete('/users/me/phone').set(as(token));

  /** A user whose number is confirmed, with the token POST /phone-verification/check answered. */
  async function confirmedUser(): Promise<{ user: RegisteredUser; phone: TestPhone; token: string }> {
    const user = await registerUser(testApp);
    const phone = uniqueMobile();
    await testApp
      .http()
      .post('/phone-verification/start')
      .set(as(user.accessToken))
      .send({ phoneNumber: phone.e164 })
      .expect(202);
    const checked = await testApp
      .http()
      .post('/phone-verification/check')
      .set(as(user.accessToken))
      .send({ code: provider.codeFor(phone) })
      .expect(200);
    return { user, phone, token: (checked.body as { accessToken: string }).accessToken };
  }

  function expectReauthenticationRequired(response: {
    status: number;
    body: unknown;
    headers: Record<string, string>;
  }) {
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'REAUTHENTICATION_REQUIRED',
      message: expect.any(String),
    });
    expect(response.headers['www-authenticate']).toBe(REAUTH_CHALLENGE);
  }

  it('answers the check with a token of the same session and auth_time, carrying the confirmed number', async () => {
    const { user, phone, token } = await confirmedUser();

    expect(claimsOf(token)).toMatchObject({
      sub: user.user.id,
      sid: user.sessionId,
      auth_time: claimsOf(user.accessToken).auth_time,
      phone_number: phone.e164,
      phone_number_verified: true,
    });
    expect((await testApp.http().get('/users/me').set(as(token))).status).toBe(200);
  });

  it('lets a fresh password replace or remove a confirmed number', async () => {
    const { token } = await confirmedUser();
    const other = uniqueMobile();

    const replaced = await putPhone(token, other.e164);
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ phoneNumber: other.e164, phoneNumberConfirmed: false });
  });

  it('refuses to replace or remove a confirmed number once auth_time is older than REAUTH_MAX_AGE_SECONDS', async () => {
    const { user, phone, token } = await confirmedUser();
    clock.advanceSeconds(301);

    expectReauthenticationRequired(await putPhone(token, uniqueMobile().e164));
    expectReauthenticationRequired(await deletePhone(token));
    // A refresh keeps auth_time: it does not count as giving the password.
    const refreshed = await testApp
      .http()
      .post('/auth/refresh')
      .send({ refreshToken: user.refreshToken })
      .expect(200);
    expectReauthenticationRequired(await deletePhone((refreshed.body as TokenPairBody).accessToken));
    // Setting the number it already has changes nothing and needs nothing.
    expect((await putPhone(token, phone.e164)).status).toBe(200);
    const unchanged = await testApp.http().get('/users/me').set(as(token));
    expect(unchanged.body).toMatchObject({ phoneNumber: phone.e164, phoneNumberConfirmed: true });

    // Logging in again gives a fresh auth_time.
    const login = await testApp
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: user.password })
      .expect(200);
    const removed = await deletePhone((login.body as TokenPairBody).accessToken);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ phoneNumber: null, phoneNumberConfirmed: false });
  });

  it('does not ask for it to store a first number or replace an unconfirmed one', async () => {
    const user = await registerUser(testApp);
    clock.advanceSeconds(301);

    expect((await putPhone(user.accessToken, uniqueMobile().e164)).status).toBe(200);
    expect((await putPhone(user.accessToken, uniqueMobile().e164)).status).toBe(200);
    expect((await deletePhone(user.accessToken)).status).toBe(200);
  });
});
