import { Clock } from '../src/common/clock';
import { createTestApp, DATABASE_LABEL, registerUser, RegisteredUser, TestApp } from './utils/test-app';
import {
  PROVIDERS,
  ProviderUnderTest,
  TestClock,
  TestPhone,
  uniqueMobile,
} from './utils/verification-providers';
import jwt from 'jsonwebtoken';

const LANDLINE = { e164: '+442079460000', countryCode: '44', nationalNumber: '2079460000' };

describe.each(PROVIDERS)(
  `phone verification with the %s provider (${DATABASE_LABEL})`,
  (_name, makeProvider) => {
    let provider: ProviderUnderTest;
    let clock: TestClock;
    let testApp: TestApp;

    beforeAll(async () => {
      provider = await makeProvider();
      clock = new TestClock();
      testApp = await createTestApp({
        env: { ...provider.env(), VERIFY_MAX_SENDS_PER_HOUR: '3', VERIFY_MAX_FAILED_CHECKS_PER_DAY: '12' },
        override: (builder) => builder.overrideProvider(Clock).useValue(clock),
      });
    });

    afterAll(async () => {
      await testApp.close();
      await provider.close();
    });

    const auth = (user: RegisteredUser) => ({ Authorization: `Bearer ${user.accessToken}` });
    const putPhone = (user: RegisteredUser, body: object) =>
      testApp.http().put('/users/me/phone').set(auth(user)).send(body);
    const start = (user: RegisteredUser, body: object = {}) =>
      testApp.http().post('/phone-verification/start').set(auth(user)).send(body);
    const check = (user: RegisteredUser, code: string) =>
      testApp.http().post('/phone-verification/check').set(auth(user)).send({ code });
    const status = (user: RegisteredUser) => testApp.http().get('/phone-verification/status').set(auth(user));
    const wrongCodeFor = (phone: TestPhone) => (provider.codeFor(phone) === '999999' ? '999998' : '999999');
    /** Lets the re-send cooldown pass. */
    const afterCooldown = () => clock.advanceSeconds(31);

    async function userWithCodeSent(
      phone = uniqueMobile(),
    ): Promise<{ user: RegisteredUser; phone: TestPhone }> {
      const user = await registerUser(testApp);
      await start(user, { phoneNumber: phone.e164 }).expect(202);
      return { user, phone };
    }

    it('confirms a number typed with its country code, and keeps it confirmed', async () => {
      const user = await registerUser(testApp);
      const phone = uniqueMobile();

      const stored = await putPhone(user, { countryCode: 44, phoneNumber: phone.typed }).expect(200);
      expect(stored.body).toMatchObject({
        phoneNumber: phone.e164,
        phoneCountryCode: '44',
        phoneNationalNumber: phone.nationalNumber,
        phoneNumberConfirmed: false,
        phoneNumberConfirmedAt: null,
      });

      const sent = await start(user, { channel: 'sms', locale: 'en' }).expect(202);
      expect(sent.body).toEqual({
        status: 'pending',
        channel: 'sms',
        to: `+44******${phone.nationalNumber.slice(-3)}`,
        expiresInSeconds: 600,
        resendAfterSeconds: 30,
      });
      expect(JSON.stringify(sent.body)).not.toContain(phone.nationalNumber);

      const pending = await status(user).expect(200);
      expect(pending.body).toEqual({
        phoneNumber: phone.e164,
        phoneNumberConfirmed: false,
        pending: {
          channel: 'sms',
          to: sent.body.to,
          expiresInSeconds: 600,
          resendAfterSeconds: 30,
          attemptsRemaining: 5,
        },
      });

      const wrong = await check(user, wrongCodeFor(phone)).expect(400);
      expect(wrong.body).toMatchObject({ statusCode: 400, code: 'INVALID_CODE', attemptsRemaining: 4 });

      const code = provider.codeFor(phone);
      expect(code).toMatch(/^\d{4,10}$/);
      const confirmed = await check(user, code!).expect(200);
      expect(confirmed.headers['cache-control']).toBe('no-store');
      expect(confirmed.body).toEqual({
        phoneNumberConfirmed: true,
        phoneNumber: phone.e164,
        accessToken: expect.any(String),
      });
      expect(jwt.decode(confirmed.body.accessToken)).toMatchObject({
        sub: user.user.id,
        phone_number: phone.e164,
        phone_number_verified: true,
      });

      const me = await testApp
        .http()
        .get('/users/me')
        .set({ Authorization: `Bearer ${confirmed.body.accessToken}` })
        .expect(200);
      expect(me.body.phoneNumberConfirmed).toBe(true);
      expect(new Date(me.body.phoneNumberConfirmedAt).toISOString()).toBe(me.body.phoneNumberConfirmedAt);

      // Only unconfirmed numbers may be verified; the same number again changes nothing.
      expect((await start(user).expect(409)).body.code).toBe('PHONE_ALREADY_CONFIRMED');
      expect((await check(user, code!).expect(409)).body.code).toBe('PHONE_ALREADY_CONFIRMED');
      const again = await putPhone(user, { phoneNumber: phone.e164 }).expect(200);
      expect(again.body.phoneNumberConfirmed).toBe(true);
      expect((await status(user).expect(200)).body).toEqual({
        phoneNumber: phone.e164,
        phoneNumberConfirmed: true,
        pending: null,
      });
    });

    it('sends to a number given with start, by voice call', async () => {
      const user = await registerUser(testApp);
      const phone = uniqueMobile();
      const sent = await start(user, { channel: 'call', countryCode: 44, phoneNumber: phone.typed }).expect(
        202,
      );
      expect(sent.body.channel).toBe('call');
      const me = await testApp.http().get('/users/me').set(auth(user)).expect(200);
      expect(me.body.phoneNumber).toBe(phone.e164);
      await check(user, provider.codeFor(phone)!).expect(200);
    });

    it('re-sends only after the cooldown, keeping the wrong-code count', async () => {
      const { user, phone } = await userWithCodeSent();
      const tooSoon = await start(user).expect(429);
      expect(tooSoon.body.code).toBe('RESEND_TOO_SOON');
      expect(Number(tooSoon.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(tooSoon.headers['retry-after'])).toBeLessThanOrEqual(30);

      await check(user, wrongCodeFor(phone)).expect(400);
      await check(user, wrongCodeFor(phone)).expect(400);
      afterCooldown();
      await start(user).expect(202);
      const wrong = await check(user, wrongCodeFor(phone)).expect(400);
      expect(wrong.body.attemptsRemaining).toBe(2);
      await check(user, provider.codeFor(phone)!).expect(200);
    });

    it('caps the sends per user per hour', async () => {
      const { user } = await userWithCodeSent();
      afterCooldown();
      await start(user).expect(202);
      afterCooldown();
      await start(user).expect(202);
      afterCooldown();
      const capped = await start(user).expect(429);
      expect(capped.body.code).toBe('SEND_LIMIT_REACHED');
      const retryAfter = Number(capped.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(3600 - 4 * 31 - 5);
      expect(retryAfter).toBeLessThanOrEqual(3600);
    });

    it('cancels the verification after 5 wrong codes: even the right code then fails', async () => {
      const { user, phone } = await userWithCodeSent();
      const code = provider.codeFor(phone)!;
      for (const remaining of [4, 3, 2, 1, 0]) {
        const wrong = await check(user, wrongCodeFor(phone)).expect(400);
        expect(wrong.body).toMatchObject({ code: 'INVALID_CODE', attemptsRemaining: remaining });
      }
      const exhausted = await check(user, code).expect(429);
      expect(exhausted.body.code).toBe('TOO_MANY_ATTEMPTS');
      expect(exhausted.headers['retry-after']).toMatch(/^\d+$/);
      expect((await status(user).expect(200)).body.pending).toBeNull();

      // A new start opens a new verification, but not new guesses at the number: the provider may re-send the
      // very code that was guessed at, so the number takes no more wrong codes while that code can be alive.
      afterCooldown();
      await start(user).expect(202);
      expect((await status(user).expect(200)).body.pending.attemptsRemaining).toBe(5);
      const stillExhausted = await check(user, provider.codeFor(phone)!).expect(429);
      expect(stillExhausted.body.code).toBe('TOO_MANY_ATTEMPTS');
      expect(Number(stillExhausted.headers['retry-after'])).toBeGreaterThan(600);
    });

    it('stops checks and sends for a day after too many wrong codes across verifications', async () => {
      const user = await registerUser(testApp);
      let phone = uniqueMobile();
      const wrongCodes = async (count: number) => {
        for (let i = 0; i < count; i++) await check(user, wrongCodeFor(phone)).expect(400);
      };
      // Each verification for a number of its own: the daily count is the account's, whatever the number.
      const startAnother = async () => {
        afterCooldown();
        phone = uniqueMobile();
        await start(user, { phoneNumber: phone.e164 }).expect(202);
      };
      await startAnother();
      await wrongCodes(5);
      await startAnother();
      await wrongCodes(5);
      await startAnother();
      await wrongCodes(2);

      const checkRefused = await check(user, provider.codeFor(phone)!).expect(429);
      expect(checkRefused.body.code).toBe('TOO_MANY_ATTEMPTS');
      const retryAfter = Number(checkRefused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(86_400 - 3 * 31 - 5);
      expect(retryAfter).toBeLessThanOrEqual(86_400);
      afterCooldown();
      expect((await start(user).expect(429)).body.code).toBe('TOO_MANY_ATTEMPTS');

      clock.advanceSeconds(86_400);
      await start(user).expect(202);
    });

    it('cancels the pending code when the number changes or is removed', async () => {
      const { user, phone } = await userWithCodeSent();
      const oldCode = provider.codeFor(phone)!;
      const next = uniqueMobile();
      const changed = await putPhone(user, { phoneNumber: next.e164 }).expect(200);
      expect(changed.body).toMatchObject({ phoneNumber: next.e164, phoneNumberConfirmed: false });
      expect((await check(user, oldCode).expect(400)).body.code).toBe('NO_PENDING_VERIFICATION');
      expect((await status(user).expect(200)).body.pending).toBeNull();

      afterCooldown();
      await start(user).expect(202);
      const removed = await testApp.http().delete('/users/me/phone').set(auth(user)).expect(200);
      expect(removed.body).toMatchObject({
        phoneNumber: null,
        phoneCountryCode: null,
        phoneNationalNumber: null,
      });
      expect((await check(user, provider.codeFor(next)!).expect(400)).body.code).toBe(
        'NO_PENDING_VERIFICATION',
      );
      afterCooldown();
      expect((await start(user).expect(400)).body.code).toBe('PHONE_NUMBER_REQUIRED');
    });

    it('refuses a code once the verification has expired, without asking the provider', async () => {
      const { user, phone } = await userWithCodeSent();
      const sentBefore = provider.sentCount();
      clock.advanceSeconds(601);
      expect((await check(user, provider.codeFor(phone) ?? '123456').expect(400)).body.code).toBe(
        'VERIFICATION_EXPIRED',
      );
      expect(provider.sentCount()).toBe(sentBefore);
    });

    it('answers NO_PENDING_VERIFICATION when nothing was started, and PHONE_NUMBER_REQUIRED without a number', async () => {
      const user = await registerUser(testApp);
      expect((await check(user, '123456').expect(400)).body.code).toBe('NO_PENDING_VERIFICATION');
      expect((await start(user).expect(400)).body.code).toBe('PHONE_NUMBER_REQUIRED');
    });

    it('tells the second account that the number is taken, only once it proved ownership', async () => {
      const phone = uniqueMobile();
      const { user: first } = await userWithCodeSent(phone);
      await check(first, provider.codeFor(phone)!).expect(200);

      const second = await registerUser(testApp);
      await putPhone(second, { phoneNumber: phone.e164 }).expect(200);
      afterCooldown();
      await start(second).expect(202);
      const taken = await check(second, provider.codeFor(phone)!).expect(409);
      expect(taken.body.code).toBe('PHONE_NUMBER_TAKEN');
      const me = await testApp.http().get('/users/me').set(auth(second)).expect(200);
      expect(me.body).toMatchObject({ phoneNumber: phone.e164, phoneNumberConfirmed: false });
    });

    it('refuses an SMS to a landline before calling the provider, and calls it instead', async () => {
      const user = await registerUser(testApp);
      await putPhone(user, { phoneNumber: LANDLINE.e164 }).expect(200);
      const sentBefore = provider.sentCount();
      expect((await start(user, { channel: 'sms' }).expect(400)).body.code).toBe('CHANNEL_NOT_SUPPORTED');
      expect(provider.sentCount()).toBe(sentBefore);
      await start(user, { channel: 'call' }).expect(202);
    });

    it('offers WhatsApp only where the provider has it', async () => {
      const { user } = await userWithCodeSent();
      afterCooldown();
      if (provider.channels.includes('whatsapp')) {
        expect((await start(user, { channel: 'whatsapp' }).expect(202)).body.channel).toBe('whatsapp');
      } else {
        expect((await start(user, { channel: 'whatsapp' }).expect(400)).body.code).toBe(
          'CHANNEL_NOT_SUPPORTED',
        );
      }
    });

    it('refuses numbers that are invalid or cannot be verified, at PUT and at start alike', async () => {
      const user = await registerUser(testApp);
      for (const body of [
        { phoneNumber: '+44712345' },
        { phoneNumber: '07123456789' },
        { countryCode: 1, phoneNumber: '+447123456789' },
        { phoneNumber: 'call me maybe' },
        { phoneNumber: '+449098790000' },
        { phoneNumber: '+447000000000' },
        { countryCode: 999, phoneNumber: '123456789' },
        { countryCode: 2, phoneNumber: '07123456789' },
      ]) {
        expect((await putPhone(user, body).expect(400)).body.code).toBe('INVALID_PHONE_NUMBER');
        expect((await start(user, body).expect(400)).body.code).toBe('INVALID_PHONE_NUMBER');
      }
      const me = await testApp.http().get('/users/me').set(auth(user)).expect(200);
      expect(me.body.phoneNumber).toBeNull();
    });

    it('validates the bodies of start and check', async () => {
      const user = await registerUser(testApp);
      for (const body of [
        { channel: 'fax' },
        { channel: null },
        { countryCode: 44 },
        { countryCode: null, phoneNumber: '07123456789' },
        { locale: 'english!' },
        { extra: true },
      ]) {
        expect((await start(user, body).expect(400)).body.code).toBe('VALIDATION_FAILED');
      }
      for (const code of ['12ab56', '123', '12345678901', '']) {
        expect((await check(user, code).expect(400)).body.code).toBe('VALIDATION_FAILED');
      }
    });

    it('needs a valid token on every phone route', async () => {
      await testApp.http().put('/users/me/phone').send({ phoneNumber: '+447123456789' }).expect(401);
      await testApp.http().delete('/users/me/phone').expect(401);
      await testApp.http().post('/phone-verification/start').send({}).expect(401);
      await testApp.http().post('/phone-verification/check').send({ code: '123456' }).expect(401);
      const unauthorized = await testApp.http().get('/phone-verification/status').expect(401);
      expect(unauthorized.body.code).toBe('UNAUTHORIZED');
    });
  },
);

describe(`phone numbers and the country allow-list (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ env: { VERIFY_ALLOWED_COUNTRIES: 'US,CA' } });
  });

  afterAll(() => testApp.close());

  it('accepts numbers of allowed countries only, at PUT and at start', async () => {
    const user = await registerUser(testApp);
    const authorization = { Authorization: `Bearer ${user.accessToken}` };
    const body = { phoneNumber: uniqueMobile().e164 };
    for (const refused of [
      await testApp.http().put('/users/me/phone').set(authorization).send(body).expect(400),
      await testApp.http().post('/phone-verification/start').set(authorization).send(body).expect(400),
    ]) {
      expect(refused.body.code).toBe('COUNTRY_NOT_ALLOWED');
    }
    const stored = await testApp
      .http()
      .put('/users/me/phone')
      .set(authorization)
      .send({ countryCode: 1, phoneNumber: '(201) 555-0123' })
      .expect(200);
    expect(stored.body).toMatchObject({
      phoneNumber: '+12015550123',
      phoneCountryCode: '1',
      phoneNationalNumber: '2015550123',
    });
  });
});
