import { Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { getDataSourceToken, getRepositoryToken } from '@nestjs/typeorm';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../database/data-source-options';
import { AccessTokenService, IssuedAccessToken } from '../auth/access-token.service';
import { AppError } from '../common/app-error';
import { SessionContext } from '../common/decorators/current-session.decorator';
import { Clock } from '../common/clock';
import { verifyConfig } from '../config/verify.config';
import { pumpingConfig } from '../config/pumping.config';
import { REDIS_CLIENT } from '../common/rate-limit/rate-limit.module';
import { IdentityMetrics } from '../metrics/identity-metrics';
import { PumpingGuard } from './pumping/pumping-guard.service';
import { TransactionRunner } from '../database/transaction-runner';
import { User } from '../users/entities/user.entity';
import { PhoneNumberParser } from '../users/phone-number.parser';
import { UsersService } from '../users/users.service';
import { PhoneVerification } from './entities/phone-verification.entity';
import { PhoneVerificationRepository } from './phone-verification.repository';
import { PhoneVerificationService } from './phone-verification.service';
import { CheckRules } from './check-rules';
import { GuessCaps } from './guess-caps';
import { PhoneNumberService } from './phone-number.service';
import { SendCaps } from './send-caps';
import { SendRules } from './send-rules';
import { VerificationConfirmer } from './verification-confirmer';
import { VerificationEvents } from './verification-events';
import { WindowLimits } from '../common/rate-limit/window-limits';
import {
  CancelVerificationRequest,
  Channel,
  CheckVerificationOutcome,
  CheckVerificationRequest,
  StartVerificationRequest,
  StartVerificationResult,
  VERIFICATION_PROVIDER,
  VerificationProvider,
  VerificationProviderError,
} from './providers/verification-provider.interface';
import { verifyConfigWith } from '../../test/utils/verify-config';

type VerifyConfig = ConfigType<typeof verifyConfig>;

const MOBILE = { e164: '+447123456789', countryCode: '44', nationalNumber: '7123456789' };
const OTHER_MOBILE = '+447911123456';
const LANDLINE = '+442079460000';
const CODE = '123456';
const WRONG_CODE = '000000';
const TOKEN = 'fake-access-token';
const SESSION: SessionContext = {
  sessionId: '00000000-0000-4000-8000-000000000001',
  authTime: new Date('2025-01-01T00:00:00Z'),
};
const T0 = new Date('2026-11-25T10:00:00.000Z');

// The caps shared across accounts have specs of their own: here the per-user rules are under test alone.
const baseConfig: VerifyConfig = verifyConfigWith({ maxSendsPerNumberPerHour: 0 });

/** The service's time, moved by the test. */
class FakeClock extends Clock {
  private current = T0.getTime();

  override now(): Date {
    return new Date(this.current);
  }

  /** Moves to `seconds` after T0. */
  at(seconds: number): Date {
    this.current = T0.getTime() + seconds * 1000;
    return this.now();
  }
}

class FakeAccessTokenService implements Pick<AccessTokenService, 'issue'> {
  /** A snapshot of the user each token was issued for. */
  readonly issuedFor: User[] = [];
  readonly sessions: SessionContext[] = [];

  async issue(user: User, session: SessionContext): Promise<IssuedAccessToken> {
    this.issuedFor.push({ ...user });
    this.sessions.push(session);
    return { accessToken: TOKEN, tokenType: 'Bearer', expiresIn: 900 };
  }
}

/**
 * A provider that approves `CODE` and calls every other code wrong, unless the test scripted the next outcome.
 * Records every call.
 */
class FakeVerificationProvider implements VerificationProvider {
  readonly name = 'fake';
  readonly channels: readonly Channel[] = ['sms', 'call'];
  readonly starts: StartVerificationRequest[] = [];
  readonly checks: CheckVerificationRequest[] = [];
  readonly cancels: CancelVerificationRequest[] = [];
  private readonly startScript: (StartVerificationResult | VerificationProviderError)[] = [];
  private readonly checkScript: (CheckVerificationOutcome | VerificationProviderError)[] = [];
  private sequence = 0;

  scriptStart(...outcomes: (StartVerificationResult | VerificationProviderError)[]): void {
    this.startScript.push(...outcomes);
  }

  scriptCheck(...outcomes: (CheckVerificationOutcome | VerificationProviderError)[]): void {
    this.checkScript.push(...outcomes);
  }

  async start(request: StartVerificationRequest): Promise<StartVerificationResult> {
    this.starts.push(request);
    const scripted = this.startScript.shift();
    if (scripted instanceof VerificationProviderError) throw scripted;
    return scripted ?? { reference: `VE${++this.sequence}` };
  }

  async check(request: CheckVerificationRequest): Promise<CheckVerificationOutcome> {
    this.checks.push(request);
    const scripted = this.checkScript.shift();
    if (scripted instanceof VerificationProviderError) throw scripted;
    return scripted ?? (request.code === CODE ? 'approved' : 'wrong_code');
  }

  async cancel(request: CancelVerificationRequest): Promise<void> {
    this.cancels.push(request);
  }
}

interface Harness {
  service: PhoneVerificationService;
  users: UsersService;
  clock: FakeClock;
  provider: FakeVerificationProvider;
  tokens: FakeAccessTokenService;
  dataSource: DataSource;
}

async function createHarness(overrides: Partial<VerifyConfig> = {}): Promise<Harness> {
  const dataSource = new DataSource(buildDataSourceOptions({ type: 'sqlite', file: ':memory:' }));
  await dataSource.initialize();
  await dataSource.runMigrations();
  const clock = new FakeClock();
  const provider = new FakeVerificationProvider();
  const tokens = new FakeAccessTokenService();
  const moduleRef = await Test.createTestingModule({
    providers: [
      PhoneVerificationService,
      PhoneNumberService,
      SendRules,
      SendCaps,
      CheckRules,
      GuessCaps,
      VerificationConfirmer,
      VerificationEvents,
      { provide: WindowLimits, useValue: new WindowLimits(null) },
      PhoneVerificationRepository,
      UsersService,
      PhoneNumberParser,
      TransactionRunner,
      { provide: Clock, useValue: clock },
      { provide: AccessTokenService, useValue: tokens },
      { provide: getDataSourceToken(), useValue: dataSource },
      { provide: getRepositoryToken(User), useValue: dataSource.getRepository(User) },
      { provide: verifyConfig.KEY, useValue: { ...baseConfig, ...overrides } },
      { provide: VERIFICATION_PROVIDER, useValue: provider },
      PumpingGuard,
      IdentityMetrics,
      { provide: REDIS_CLIENT, useValue: null },
      { provide: pumpingConfig.KEY, useValue: { mode: 'alarm', minSends: 20, minConversion: 0.2 } },
    ],
  }).compile();
  return {
    service: moduleRef.get(PhoneVerificationService),
    users: moduleRef.get(UsersService),
    clock,
    provider,
    tokens,
    dataSource,
  };
}

/** Awaits a rejection that must be an AppError, and hands it over for closer inspection. */
async function rejectionOf(promise: Promise<unknown>): Promise<AppError> {
  await expect(promise).rejects.toBeInstanceOf(AppError);
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as AppError,
  );
}

describe('PhoneVerificationService (SQLite in memory)', () => {
  let h: Harness;
  let service: PhoneVerificationService;
  let users: UsersService;
  let clock: FakeClock;
  let provider: FakeVerificationProvider;

  async function userWithPhone(email = 'ada@example.com', e164: string = MOBILE.e164): Promise<User> {
    const user = await users.create(email, '$argon2id$not-a-real-hash');
    await service.setPhoneNumber(user.id, { phoneNumber: e164 });
    return reload(user.id);
  }

  async function reload(userId: string): Promise<User> {
    const user = await users.findByIdWith(h.dataSource.manager, userId);
    expect(user).not.toBeNull();
    return user!;
  }

  async function wrongCode(userId: string): Promise<number | undefined> {
    const error = await rejectionOf(service.check(userId, WRONG_CODE, SESSION));
    expect(error.code).toBe('INVALID_CODE');
    return error.options.extra?.attemptsRemaining as number | undefined;
  }

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    h = await createHarness();
    ({ service, users, clock, provider } = h);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await h.dataSource.destroy();
  });

  describe('setPhoneNumber', () => {
    it('stores a typed national number as E.164, country code and national number, unconfirmed', async () => {
      const created = await users.create('ada@example.com', 'hash');

      const returned = await service.setPhoneNumber(created.id, {
        countryCode: 44,
        phoneNumber: '07123 456789',
      });

      const expected = {
        phoneE164: MOBILE.e164,
        phoneCountryCode: MOBILE.countryCode,
        phoneNationalNumber: MOBILE.nationalNumber,
        phoneConfirmed: false,
        phoneConfirmedAt: null,
      };
      expect(returned).toMatchObject(expected);
      expect(await reload(created.id)).toMatchObject(expected);
    });

    it('changes nothing when the number is the one the user has: a confirmed number stays confirmed', async () => {
      const user = await userWithPhone();
      await service.start(user, {});
      const confirmedAt = clock.at(5);
      await service.check(user.id, CODE, SESSION);

      clock.at(60);
      const returned = await service.setPhoneNumber(user.id, { countryCode: 44, phoneNumber: '07123456789' });

      expect(returned).toMatchObject({ phoneE164: MOBILE.e164, phoneConfirmed: true });
      expect(await reload(user.id)).toMatchObject({
        phoneE164: MOBILE.e164,
        phoneConfirmed: true,
        phoneConfirmedAt: confirmedAt,
      });
      expect(provider.cancels).toHaveLength(0);
    });

    it('cancels the pending verification when the number changes, here and at the provider', async () => {
      const user = await userWithPhone();
      await service.start(user, {});

      const changed = await service.setPhoneNumber(user.id, { phoneNumber: OTHER_MOBILE });

      expect(changed).toMatchObject({ phoneE164: OTHER_MOBILE, phoneConfirmed: false });
      expect(provider.cancels).toEqual([expect.objectContaining({ to: MOBILE })]);
      const error = await rejectionOf(service.check(user.id, CODE, SESSION));
      expect(error.code).toBe('NO_PENDING_VERIFICATION');
      expect(provider.checks).toHaveLength(0);
      expect((await service.status(await reload(user.id))).pending).toBeNull();
    });

    it('removes the number with null, unconfirming it and cancelling the pending verification', async () => {
      const user = await userWithPhone();
      await service.start(user, {});

      const removed = await service.setPhoneNumber(user.id, null);

      expect(removed).toMatchObject({ phoneE164: null, phoneCountryCode: null, phoneNationalNumber: null });
      expect(provider.cancels).toHaveLength(1);
      expect((await rejectionOf(service.check(user.id, CODE, SESSION))).code).toBe('NO_PENDING_VERIFICATION');
    });
  });

  describe('start', () => {
    it('refuses with PHONE_NUMBER_REQUIRED when no number is stored or given', async () => {
      const user = await users.create('ada@example.com', 'hash');

      const error = await rejectionOf(service.start(user, {}));

      expect(error.code).toBe('PHONE_NUMBER_REQUIRED');
      expect(provider.starts).toHaveLength(0);
    });

    it('sends a code to the stored number and answers with the masked number and the timings', async () => {
      const user = await userWithPhone();

      const response = await service.start(user, { locale: 'en' });

      expect(response).toEqual({
        status: 'pending',
        channel: 'sms',
        to: '+44******789',
        expiresInSeconds: 600,
        resendAfterSeconds: 30,
      });
      expect(provider.starts).toEqual([{ to: MOBILE, channel: 'sms', locale: 'en', codeLength: 6 }]);
    });

    it('first stores a number given in the request, as PUT /users/me/phone would', async () => {
      const user = await users.create('ada@example.com', 'hash');

      const response = await service.start(user, { countryCode: 44, phoneNumber: '07123 456789' });

      expect(response.to).toBe('+44******789');
      expect(await reload(user.id)).toMatchObject({ phoneE164: MOBILE.e164, phoneConfirmed: false });
      expect(provider.starts[0].to).toEqual(MOBILE);
    });

    it('refuses a second send inside the cooldown with RESEND_TOO_SOON, without calling the provider', async () => {
      const user = await userWithPhone();
      await service.start(user, {});
      clock.at(10);

      const error = await rejectionOf(service.start(user, {}));

      expect(error.code).toBe('RESEND_TOO_SOON');
      expect(error.options.retryAfterSeconds).toBeCloseTo(20, 0);
      expect(provider.starts).toHaveLength(1);
    });

    it('re-sends after the cooldown within the same verification: the wrong-code count is kept', async () => {
      const user = await userWithPhone();
      await service.start(user, {});
      clock.at(5);
      expect(await wrongCode(user.id)).toBe(4);
      expect(await wrongCode(user.id)).toBe(3);

      clock.at(30);
      const resent = await service.start(user, {});

      expect(resent).toMatchObject({ status: 'pending', to: '+44******789', resendAfterSeconds: 30 });
      expect(provider.starts).toHaveLength(2);
      expect(await h.dataSource.getRepository(PhoneVerification).countBy({ userId: user.id })).toBe(1);
      expect((await service.status(user)).pending?.attemptsRemaining).toBe(3);
      expect(await wrongCode(user.id)).toBe(2);
      await expect(service.check(user.id, CODE, SESSION)).resolves.toMatchObject({
        phoneNumberConfirmed: true,
      });
    });

    it('refuses the 6th send within an hour with SEND_LIMIT_REACHED until the oldest send is an hour old', async () => {
      const user = await userWithPhone();
      for (const seconds of [0, 30, 60, 90, 120]) {
        clock.at(seconds);
        await service.start(user, {});
      }

      clock.at(150);
      const error = await rejectionOf(service.start(user, {}));

      expect(error.code).toBe('SEND_LIMIT_REACHED');
      expect(error.options.retryAfterSeconds).toBeCloseTo(3600 - 150, 0);
      expect(provider.starts).toHaveLength(5);

      clock.at(3600);
      await expect(service.start(user, {})).resolves.toMatchObject({ status: 'pending' });
      expect(provider.starts).toHaveLength(6);
    });

    it('answers a provider error at start with VERIFY_PROVIDER_ERROR, consumes no send slot and leaves nothing pending', async () => {
      const user = await userWithPhone();
      provider.scriptStart(
        new VerificationProviderError('provider_error', { upstreamCode: 'boom', upstreamStatus: 500 }),
      );

      const error = await rejectionOf(service.start(user, {}));

      expect(error.code).toBe('VERIFY_PROVIDER_ERROR');
      expect(error.message).not.toContain('boom');
      expect((await service.status(user)).pending).toBeNull();
      expect((await rejectionOf(service.check(user.id, CODE, SESSION))).code).toBe('NO_PENDING_VERIFICATION');
      expect(provider.checks).toHaveLength(0);

      await expect(service.start(user, {})).resolves.toMatchObject({ status: 'pending' });
      expect(provider.starts).toHaveLength(2);
    });

    it.each([
      ['timeout', 'VERIFY_PROVIDER_TIMEOUT', {}],
      ['provider_error', 'VERIFY_PROVIDER_ERROR', { upstreamCode: 'ECONNRESET' }],
    ] as const)(
      'answers %s at start with %s but keeps the send slot: the code may have gone out',
      async (failure, code, detail) => {
        const user = await userWithPhone();
        provider.scriptStart(new VerificationProviderError(failure, detail));

        expect((await rejectionOf(service.start(user, {}))).code).toBe(code);

        expect((await service.status(user)).pending).toMatchObject({
          resendAfterSeconds: 30,
          attemptsRemaining: 5,
        });
        expect((await rejectionOf(service.start(user, {}))).code).toBe('RESEND_TOO_SOON');
        await expect(service.check(user.id, CODE, SESSION)).resolves.toMatchObject({
          phoneNumberConfirmed: true,
        });
      },
    );

    it('keeps the earlier verification when a re-send fails, and the failed re-send takes no slot', async () => {
      const user = await userWithPhone();
      await service.start(user, {});
      clock.at(30);
      provider.scriptStart(new VerificationProviderError('provider_error', { upstreamStatus: 503 }));

      expect((await rejectionOf(service.start(user, {}))).code).toBe('VERIFY_PROVIDER_ERROR');

      expect((await service.status(user)).pending).toMatchObject({ resendAfterSeconds: 0 });
      await expect(service.start(user, {})).resolves.toMatchObject({ status: 'pending' });
      await expect(service.check(user.id, CODE, SESSION)).resolves.toMatchObject({
        phoneNumberConfirmed: true,
      });
    });

    it.each([
      ['rate_limited', 'RATE_LIMITED', {}, 60],
      ['send_limit', 'SEND_LIMIT_REACHED', { retryAfterSeconds: 120 }, 120],
    ] as const)(
      'answers the provider refusing a send (%s) with 429 %s and a retry delay',
      async (failure, code, detail, retryAfterSeconds) => {
        const user = await userWithPhone();
        provider.scriptStart(new VerificationProviderError(failure, detail));

        const error = await rejectionOf(service.start(user, {}));

        expect(error.code).toBe(code);
        expect(error.options.retryAfterSeconds).toBe(retryAfterSeconds);
        expect((await service.status(user)).pending).toBeNull();
      },
    );

    it('refuses a channel the provider does not offer with CHANNEL_NOT_SUPPORTED, without calling it', async () => {
      const user = await userWithPhone();

      const error = await rejectionOf(service.start(user, { channel: 'whatsapp' }));

      expect(error.code).toBe('CHANNEL_NOT_SUPPORTED');
      expect(provider.starts).toHaveLength(0);
    });

    it('refuses an SMS to a landline before paying for it, and accepts a call', async () => {
      expect(parsePhoneNumberFromString(LANDLINE)?.getType()).toBe('FIXED_LINE');
      const user = await userWithPhone('ada@example.com', LANDLINE);

      const error = await rejectionOf(service.start(user, { channel: 'sms' }));
      expect(error.code).toBe('CHANNEL_NOT_SUPPORTED');
      expect(provider.starts).toHaveLength(0);

      const response = await service.start(user, { channel: 'call' });
      expect(response).toMatchObject({ status: 'pending', channel: 'call', to: '+44******000' });
      expect(provider.starts).toEqual([expect.objectContaining({ channel: 'call' })]);
    });
  });

  describe('check', () => {
    it('confirms the number when the provider approves, and answers with a fresh token', async () => {
      const user = await userWithPhone();
      await service.start(user, {});
      const approvedAt = clock.at(42);

      const response = await service.check(user.id, CODE, SESSION);

      expect(response).toEqual({ phoneNumberConfirmed: true, phoneNumber: MOBILE.e164, accessToken: TOKEN });
      expect(provider.checks).toEqual([
        expect.objectContaining({ to: MOBILE, code: CODE, reference: 'VE1' }),
      ]);
      expect(await reload(user.id)).toMatchObject({ phoneConfirmed: true, phoneConfirmedAt: approvedAt });
      expect(h.tokens.issuedFor).toEqual([expect.objectContaining({ id: user.id, phoneConfirmed: true })]);
      expect(h.tokens.sessions).toEqual([SESSION]);

      // A code is single use.
      expect((await rejectionOf(service.check(user.id, CODE, SESSION))).code).toBe('NO_PENDING_VERIFICATION');
      expect(provider.checks).toHaveLength(1);
    });

    it('counts wrong codes down to 0, then refuses even the right code without asking the provider', async () => {
      const user = await userWithPhone();
      await service.start(user, {});

      const remaining: (number | undefined)[] = [];
      for (let i = 0; i < 5; i++) remaining.push(await wrongCode(user.id));

      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      expect(provider.cancels).toEqual([expect.objectContaining({ to: MOBILE })]);
      const error = await rejectionOf(service.check(user.id, CODE, SESSION));
      expect(error.code).toBe('TOO_MANY_ATTEMPTS');
      expect(error.options.retryAfterSeconds).toBeGreaterThan(600);
      expect(provider.checks).toHaveLength(5);
      expect(await reload(user.id)).toMatchObject({ phoneConfirmed: false });
      expect((await service.status(user)).pending).toBeNull();

      // A new start re-sends the same code (the provider keeps one per number): it gets no fresh guesses...
      clock.at(30);
      await service.start(user, {});
      const refused = await rejectionOf(service.check(user.id, CODE, SESSION));
      expect(refused.code).toBe('TOO_MANY_ATTEMPTS');
      expect(refused.options.retryAfterSeconds).toBeGreaterThan(600);
      expect(provider.checks).toHaveLength(5);
    });

    it('refuses a check after the code expired with VERIFICATION_EXPIRED, without asking the provider', async () => {
      const user = await userWithPhone();
      await service.start(user, {});
      clock.at(601);

      expect((await rejectionOf(service.check(user.id, CODE, SESSION))).code).toBe('VERIFICATION_EXPIRED');
      expect((await rejectionOf(service.check(user.id, CODE, SESSION))).code).toBe('VERIFICATION_EXPIRED');

      expect(provider.checks).toHaveLength(0);
      expect(await reload(user.id)).toMatchObject({ phoneConfirmed: false });
    });

    it('answers VERIFICATION_EXPIRED when the provider no longer knows the verification', async () => {
      const user = await userWithPhone();
      await service.start(user, {});
      provider.scriptCheck('not_found');

      expect((await rejectionOf(service.check(user.id, CODE, SESSION))).code).toBe('VERIFICATION_EXPIRED');

      expect((await rejectionOf(service.check(user.id, CODE, SESSION))).code).toBe('VERIFICATION_EXPIRED');
      expect(provider.checks).toHaveLength(1);
      expect((await service.status(user)).pending).toBeNull();
    });

    it('answers NO_PENDING_VERIFICATION when nothing was started', async () => {
      const user = await userWithPhone();

      expect((await rejectionOf(service.check(user.id, CODE, SESSION))).code).toBe('NO_PENDING_VERIFICATION');
      expect(provider.checks).toHaveLength(0);
    });

    it('counts a check whose provider call timed out as a wrong code: the provider may have judged it', async () => {
      const user = await userWithPhone();
      await service.start(user, {});
      provider.scriptCheck(new VerificationProviderError('timeout'));

      expect((await rejectionOf(service.check(user.id, CODE, SESSION))).code).toBe('VERIFY_PROVIDER_TIMEOUT');

      expect((await service.status(user)).pending?.attemptsRemaining).toBe(4);
      expect(await wrongCode(user.id)).toBe(3);
    });

    it.each([
      ['provider_error', 'VERIFY_PROVIDER_ERROR'],
      ['rate_limited', 'RATE_LIMITED'],
    ] as const)('consumes no attempt when the provider refuses a check (%s → %s)', async (failure, code) => {
      const user = await userWithPhone();
      await service.start(user, {});
      expect(await wrongCode(user.id)).toBe(4);
      provider.scriptCheck(new VerificationProviderError(failure, { upstreamStatus: 503 }));

      expect((await rejectionOf(service.check(user.id, CODE, SESSION))).code).toBe(code);

      expect((await service.status(user)).pending?.attemptsRemaining).toBe(4);
      expect(await wrongCode(user.id)).toBe(3);
      expect(await reload(user.id)).toMatchObject({ phoneConfirmed: false });
    });

    it('refuses check and start with TOO_MANY_ATTEMPTS after the daily cap of wrong codes, across verifications', async () => {
      await h.dataSource.destroy();
      h = await createHarness({ maxFailedChecksPerDay: 3 });
      ({ service, users, clock, provider } = h);
      const user = await userWithPhone();

      await service.start(user, {});
      clock.at(10);
      expect(await wrongCode(user.id)).toBe(4);
      clock.at(20);
      expect(await wrongCode(user.id)).toBe(3);
      // A second verification, for another number: the daily count is per user.
      await service.setPhoneNumber(user.id, { phoneNumber: OTHER_MOBILE });
      clock.at(40);
      const changed = await reload(user.id);
      await service.start(changed, {});
      clock.at(50);
      expect(await wrongCode(user.id)).toBe(4);

      clock.at(60);
      const checkError = await rejectionOf(service.check(user.id, CODE, SESSION));
      expect(checkError.code).toBe('TOO_MANY_ATTEMPTS');
      expect(checkError.options.retryAfterSeconds).toBeCloseTo(86_400 - 50, 0);
      expect(provider.checks).toHaveLength(3);

      clock.at(80);
      const startError = await rejectionOf(service.start(changed, {}));
      expect(startError.code).toBe('TOO_MANY_ATTEMPTS');
      expect(startError.options.retryAfterSeconds).toBeCloseTo(86_400 - 70, 0);
      expect(provider.starts).toHaveLength(2);

      // Once the oldest wrong code is a day old, the user may try again.
      clock.at(10 + 86_400);
      await expect(service.start(changed, {})).resolves.toMatchObject({ status: 'pending' });
    });

    it('does not let parallel wrong codes overshoot the daily cap', async () => {
      await h.dataSource.destroy();
      h = await createHarness({ maxFailedChecksPerDay: 3 });
      ({ service, users, clock, provider } = h);
      const user = await userWithPhone();
      await service.start(user, {});

      await Promise.allSettled(Array.from({ length: 10 }, () => service.check(user.id, WRONG_CODE, SESSION)));

      expect(provider.checks).toHaveLength(3);
      expect((await rejectionOf(service.check(user.id, CODE, SESSION))).code).toBe('TOO_MANY_ATTEMPTS');
    });

    it('answers PHONE_NUMBER_TAKEN when another account confirmed the number first; this one stays unconfirmed', async () => {
      const ada = await userWithPhone('ada@example.com', OTHER_MOBILE);
      await service.start(ada, {});
      await service.check(ada.id, CODE, SESSION);

      const bob = await userWithPhone('bob@example.com', OTHER_MOBILE);
      expect(bob).toMatchObject({ phoneE164: OTHER_MOBILE, phoneConfirmed: false });
      await expect(service.start(bob, {})).resolves.toMatchObject({ status: 'pending' });
      const error = await rejectionOf(service.check(bob.id, CODE, SESSION));

      expect(error.code).toBe('PHONE_NUMBER_TAKEN');
      expect(await reload(bob.id)).toMatchObject({ phoneConfirmed: false, phoneConfirmedAt: null });
      expect(await reload(ada.id)).toMatchObject({ phoneE164: OTHER_MOBILE, phoneConfirmed: true });
      expect(h.tokens.issuedFor.map((issued) => issued.id)).toEqual([ada.id]);
      expect((await rejectionOf(service.check(bob.id, CODE, SESSION))).code).toBe('NO_PENDING_VERIFICATION');
    });

    it('retries the commit of an approval when it fails, and answers only once it committed', async () => {
      const user = await userWithPhone();
      await service.start(user, {});
      const confirmPhone = jest
        .spyOn(users, 'confirmPhone')
        .mockRejectedValueOnce(new Error('disk I/O error'));

      const response = await service.check(user.id, CODE, SESSION);

      expect(response).toEqual({ phoneNumberConfirmed: true, phoneNumber: MOBILE.e164, accessToken: TOKEN });
      expect(confirmPhone).toHaveBeenCalledTimes(2);
      expect(provider.checks).toHaveLength(1);
      expect(await reload(user.id)).toMatchObject({ phoneConfirmed: true, phoneConfirmedAt: T0 });
    });
  });

  describe('concurrent checks', () => {
    it('confirms once when several checks with the right code race', async () => {
      const user = await userWithPhone();
      await service.start(user, {});

      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => service.check(user.id, CODE, SESSION)),
      );

      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(AppError);
      }
      expect(h.tokens.issuedFor).toHaveLength(1);
      expect(await reload(user.id)).toMatchObject({ phoneConfirmed: true });
    });

    it('lets the provider judge at most maxCheckAttempts of many parallel wrong codes', async () => {
      const user = await userWithPhone();
      await service.start(user, {});

      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => service.check(user.id, WRONG_CODE, SESSION)),
      );

      expect(provider.checks).toHaveLength(5);
      const codes = results.map((result) =>
        result.status === 'rejected' ? (result.reason as AppError).code : 'resolved',
      );
      expect(codes.filter((code) => code === 'INVALID_CODE')).toHaveLength(5);
      // The others found every attempt taken: by wrong codes, or by checks still waiting for the provider.
      expect(codes.filter((code) => code === 'TOO_MANY_ATTEMPTS' || code === 'RATE_LIMITED')).toHaveLength(
        15,
      );
      expect((await rejectionOf(service.check(user.id, CODE, SESSION))).code).toBe('TOO_MANY_ATTEMPTS');
      expect(provider.checks).toHaveLength(5);
    });

    it('does not let a wrong code cancel a verification that a concurrent right code is approving', async () => {
      const user = await userWithPhone();
      await service.start(user, {});
      for (let i = 0; i < 3; i += 1) await rejectionOf(service.check(user.id, WRONG_CODE, SESSION));
      let releaseApproval!: () => void;
      const approvalHeld = new Promise<void>((resolve) => (releaseApproval = resolve));
      const check = provider.check.bind(provider);
      jest.spyOn(provider, 'check').mockImplementation(async (request) => {
        if (request.code === CODE) await approvalHeld;
        return check(request);
      });

      const approving = service.check(user.id, CODE, SESSION);
      const wrong = await rejectionOf(service.check(user.id, WRONG_CODE, SESSION));
      releaseApproval();

      expect(wrong).toMatchObject({ code: 'INVALID_CODE', options: { extra: { attemptsRemaining: 1 } } });
      await expect(approving).resolves.toMatchObject({ phoneNumberConfirmed: true });
      expect((await reload(user.id)).phoneConfirmed).toBe(true);
    });

    it('leaves exactly one of two accounts racing for one number confirmed', async () => {
      const ada = await userWithPhone('ada@example.com', OTHER_MOBILE);
      const bob = await userWithPhone('bob@example.com', OTHER_MOBILE);
      await service.start(ada, {});
      await service.start(bob, {});

      const results = await Promise.allSettled([
        service.check(ada.id, CODE, SESSION),
        service.check(bob.id, CODE, SESSION),
      ]);

      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((result) => result.status === 'rejected');
      expect((rejected as PromiseRejectedResult).reason).toMatchObject({ code: 'PHONE_NUMBER_TAKEN' });
      const confirmed = [await reload(ada.id), await reload(bob.id)].filter((user) => user.phoneConfirmed);
      expect(confirmed).toHaveLength(1);
    });
  });

  describe('status', () => {
    it('shows no pending verification when none was started, with or without a number', async () => {
      const user = await users.create('ada@example.com', 'hash');
      await expect(service.status(user)).resolves.toEqual({
        phoneNumber: null,
        phoneNumberConfirmed: false,
        pending: null,
      });

      const withPhone = await service.setPhoneNumber(user.id, { phoneNumber: MOBILE.e164 });
      await expect(service.status(withPhone)).resolves.toEqual({
        phoneNumber: MOBILE.e164,
        phoneNumberConfirmed: false,
        pending: null,
      });
    });

    it('shows the pending verification with its timings and the attempts left', async () => {
      const user = await userWithPhone();
      await service.start(user, {});
      clock.at(10);
      await wrongCode(user.id);
      clock.at(12);

      await expect(service.status(user)).resolves.toEqual({
        phoneNumber: MOBILE.e164,
        phoneNumberConfirmed: false,
        pending: {
          channel: 'sms',
          to: '+44******789',
          expiresInSeconds: 588,
          resendAfterSeconds: 18,
          attemptsRemaining: 4,
        },
      });

      clock.at(40);
      expect((await service.status(user)).pending).toMatchObject({ resendAfterSeconds: 0 });
      clock.at(600);
      expect((await service.status(user)).pending).toBeNull();
    });

    it('answers a confirmed user too, with nothing pending', async () => {
      const user = await userWithPhone();
      await service.start(user, {});
      await service.check(user.id, CODE, SESSION);

      await expect(service.status(await reload(user.id))).resolves.toEqual({
        phoneNumber: MOBILE.e164,
        phoneNumberConfirmed: true,
        pending: null,
      });
    });
  });
});
