import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccessTokenService } from '../auth/access-token.service';
import { SessionContext } from '../common/decorators/current-session.decorator';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { ErrorCode } from '../common/error-codes';
import { verifyConfig } from '../config';
import { isUniqueViolation } from '../database/database-errors';
import { countryOf } from '../metrics/country';
import { IdentityMetrics } from '../metrics/identity-metrics';
import { TransactionRunner } from '../database/transaction-runner';
import { User } from '../users/entities/user.entity';
import { maskPhoneNumber, PhoneNumberInput, PhoneNumberParser } from '../users/phone-number.parser';
import { PhoneChangeAuthentication } from '../users/phone-change.policy';
import { UsersService } from '../users/users.service';
import {
  CheckVerificationResponseDto,
  StartVerificationResponseDto,
  VerificationStatusResponseDto,
} from './dto/verification-response.dto';
import { CancelReason, PhoneVerification } from './entities/phone-verification.entity';
import { isNotSentCode } from './providers/provider-http';
import { PhoneVerificationRepository, SendState } from './phone-verification.repository';
import { PumpingGuard } from './pumping/pumping-guard.service';
import {
  Channel,
  VERIFICATION_PROVIDER,
  VerificationDestination,
  VerificationProvider,
  VerificationProviderError,
  VerificationProviderFailure,
} from './providers/verification-provider.interface';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
// The provider forgets an approved verification: its approval is committed with retries, never dropped.
const CONFIRM_RETRY_DELAYS_MS = [100, 500, 2000];

const FAILURE_ERRORS: Record<VerificationProviderFailure, { code: ErrorCode; message: string }> = {
  invalid_number: { code: 'INVALID_PHONE_NUMBER', message: 'The provider refused this phone number' },
  channel_refused: {
    code: 'CHANNEL_NOT_SUPPORTED',
    message: 'This number cannot receive codes by this channel',
  },
  country_not_allowed: {
    code: 'COUNTRY_NOT_ALLOWED',
    message: 'Numbers of this country cannot be verified here',
  },
  destination_blocked: { code: 'DESTINATION_BLOCKED', message: 'Sending codes to this number is blocked' },
  send_limit: { code: 'SEND_LIMIT_REACHED', message: 'Too many codes were sent to this number, try later' },
  too_many_attempts: { code: 'TOO_MANY_ATTEMPTS', message: 'Too many wrong codes: start a new verification' },
  rate_limited: { code: 'RATE_LIMITED', message: 'The verification provider is busy, try again shortly' },
  provider_error: { code: 'VERIFY_PROVIDER_ERROR', message: 'The verification provider failed' },
  timeout: { code: 'VERIFY_PROVIDER_TIMEOUT', message: 'The verification provider did not answer in time' },
};

type SendBlockCode = 'RESEND_TOO_SOON' | 'SEND_LIMIT_REACHED';

const SEND_BLOCK_MESSAGES: Record<SendBlockCode, string> = {
  RESEND_TOO_SOON: 'A code was sent moments ago: wait before asking again',
  SEND_LIMIT_REACHED: 'Too many codes were sent in the last hour',
};

interface ReservedSend {
  verification: PhoneVerification;
  /** The send state before this send, or null when this send created the verification. */
  previous: SendState | null;
  eventId: string;
  /** When the next send will be allowed, counting this one. */
  resendAfterSeconds: number;
}

/**
 * Owns the rules of phone verification (which number, cooldown, caps, attempts, expiry) on top of whichever
 * provider sends and checks the codes.
 */
@Injectable()
export class PhoneVerificationService {
  private readonly logger = new Logger('PhoneVerification');

  constructor(
    private readonly verifications: PhoneVerificationRepository,
    private readonly users: UsersService,
    private readonly parser: PhoneNumberParser,
    private readonly tokens: AccessTokenService,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    @Inject(VERIFICATION_PROVIDER) private readonly provider: VerificationProvider,
    @Inject(verifyConfig.KEY) private readonly config: ConfigType<typeof verifyConfig>,
    private readonly pumping: PumpingGuard,
    private readonly metrics: IdentityMetrics,
  ) {}

  /**
   * Stores a number (or removes it with `null`); a changed number is unconfirmed and its pending code cancelled.
   * Replacing or removing a confirmed number needs a recent password (`REAUTHENTICATION_REQUIRED`).
   */
  async setPhoneNumber(
    userId: string,
    input: PhoneNumberInput | null,
    authentication: PhoneChangeAuthentication = { recentlyAuthenticated: false },
  ): Promise<User> {
    const phone = input ? this.parser.parse(input) : null;
    const { user, canceled } = await this.transactions.run(async (manager) => {
      const change = await this.users.changePhone(manager, userId, phone, authentication);
      const pending = change.changed ? await this.cancelPending(manager, userId, 'number_changed') : null;
      return { user: change.user, canceled: pending };
    });
    if (canceled) await this.cancelAtProvider(canceled);
    return user;
  }

  async start(
    user: User,
    request: { channel?: Channel; locale?: string; countryCode?: number; phoneNumber?: string },
  ): Promise<StartVerificationResponseDto> {
    if (request.phoneNumber !== undefined) {
      await this.setPhoneNumber(user.id, {
        phoneNumber: request.phoneNumber,
        countryCode: request.countryCode,
      });
    }
    const channel = request.channel ?? 'sms';
    if (!this.provider.channels.includes(channel)) {
      throw new AppError(
        'CHANNEL_NOT_SUPPORTED',
        `The ${channel} channel is not available with this provider`,
      );
    }
    const reserved = await this.reserveSend(user.id, channel);
    const { verification } = reserved;
    const to = destinationOf(verification);
    let reference: string | undefined;
    try {
      ({ reference } = await this.provider.start({
        to,
        channel,
        locale: request.locale,
        codeLength: this.config.codeLength,
      }));
    } catch (error) {
      // A send that may have gone out (and been billed) keeps its slot: the cooldown and the cap still hold.
      if (!sendMayHaveHappened(error))
        await this.transactions.run((manager) => this.releaseSend(manager, reserved));
      throw this.providerFailure(error, 'start', user.id, verification);
    }
    if (reference && reference !== verification.providerReference) {
      const sid = reference;
      await this.transactions.run((manager) =>
        this.verifications.setProviderReference(manager, verification.id, sid),
      );
    }
    await this.pumping.recordSend(countryOf(verification.phoneE164));
    this.logEvent('verification.start', user.id, verification, 'sent', { channel });
    const now = this.clock.now();
    return {
      status: 'pending',
      channel,
      to: maskPhoneNumber(verification.phoneCountryCode, verification.phoneNationalNumber),
      expiresInSeconds: secondsBetween(now, verification.expiresAt),
      resendAfterSeconds: reserved.resendAfterSeconds,
    };
  }

  /** On success, answers a fresh access token for the caller's session. */
  async check(userId: string, code: string, session: SessionContext): Promise<CheckVerificationResponseDto> {
    const now = this.clock.now();
    await this.assertDailyFailuresBelowCap(userId, now);
    const verification = await this.verifications.findLatest(userId);
    await this.assertCheckable(userId, verification, now);
    const pending = verification as PhoneVerification;

    const reserved = await this.transactions.run(async (manager) => {
      // Locked like every other step of this user's verification, so that parallel checks see each other.
      await this.users.findByIdForUpdate(manager, userId);
      const current = await this.verifications.findById(pending.id, manager);
      const checksInFlight = current ? current.attempts - current.failedAttempts : 0;
      await this.assertDailyFailuresBelowCap(userId, now, manager, checksInFlight);
      return this.verifications.reserveAttempt(manager, pending.id, this.config.maxCheckAttempts);
    });
    if (!reserved) throw await this.notCheckable(pending.id);

    let outcome;
    try {
      outcome = await this.provider.check({
        to: destinationOf(pending),
        code,
        reference: pending.providerReference ?? undefined,
      });
    } catch (error) {
      if (error instanceof VerificationProviderError && error.failure === 'too_many_attempts') {
        await this.transactions.run((manager) =>
          this.verifications.endPending(
            manager,
            pending.id,
            'canceled',
            this.clock.now(),
            'too_many_attempts',
          ),
        );
      } else {
        await this.transactions.run((manager) => this.verifications.releaseAttempt(manager, pending.id));
      }
      throw this.providerFailure(error, 'check', userId, pending);
    }

    if (outcome === 'approved') return this.confirm(userId, pending, session);
    if (outcome === 'not_found') {
      const ended = await this.transactions.run((manager) =>
        this.verifications.endPending(manager, pending.id, 'expired', this.clock.now()),
      );
      if (!ended) throw await this.notCheckable(pending.id);
      this.logEvent('verification.check', userId, pending, 'expired_at_provider');
      throw new AppError('VERIFICATION_EXPIRED', 'The code has expired: start a new verification');
    }
    return this.rejectWrongCode(userId, pending);
  }

  async status(user: User): Promise<VerificationStatusResponseDto> {
    const now = this.clock.now();
    const pending = await this.verifications.findPending(user.id);
    const live = pending && pending.expiresAt > now && pending.phoneE164 === user.phoneE164 ? pending : null;
    if (!live)
      return { phoneNumber: user.phoneE164, phoneNumberConfirmed: user.phoneConfirmed, pending: null };
    const sends = await this.verifications.eventTimes(user.id, 'send', new Date(now.getTime() - HOUR_MS));
    return {
      phoneNumber: user.phoneE164,
      phoneNumberConfirmed: user.phoneConfirmed,
      pending: {
        channel: live.channel,
        to: maskPhoneNumber(live.phoneCountryCode, live.phoneNationalNumber),
        expiresInSeconds: secondsBetween(now, live.expiresAt),
        resendAfterSeconds: Math.ceil(this.sendBlock(sends, now)?.seconds ?? 0),
        attemptsRemaining: Math.max(0, this.config.maxCheckAttempts - live.failedAttempts),
      },
    };
  }

  /** Checks every rule and takes a send slot in one transaction, before the provider is paid for a send. */
  private reserveSend(userId: string, channel: Channel): Promise<ReservedSend> {
    return this.transactions.run(async (manager) => {
      const now = this.clock.now();
      const user = await this.users.findByIdForUpdate(manager, userId);
      if (!user) throw new AppError('UNAUTHORIZED', 'The account no longer exists');
      if (user.phoneConfirmed)
        throw new AppError('PHONE_ALREADY_CONFIRMED', 'The phone number is already confirmed');
      if (!user.phoneE164 || !user.phoneCountryCode || !user.phoneNationalNumber) {
        throw new AppError(
          'PHONE_NUMBER_REQUIRED',
          'Store a phone number first, or send one with this request',
        );
      }
      // Rules may have changed since the number was stored (allow-list), and landlines cannot take an SMS.
      const phone = this.parser.parse({ phoneNumber: user.phoneE164 });
      if (channel !== 'call' && !phone.smsCapable) {
        throw new AppError('CHANNEL_NOT_SUPPORTED', 'This number is a landline: use the call channel');
      }
      await this.pumping.assertSendAllowed(countryOf(phone.e164));
      await this.assertDailyFailuresBelowCap(userId, now, manager);
      const sends = await this.verifications.eventTimes(
        userId,
        'send',
        new Date(now.getTime() - HOUR_MS),
        manager,
      );
      const block = this.sendBlock(sends, now);
      if (block) {
        this.logger.warn({ event: 'verification.limit', userId, limit: block.code });
        throw new AppError(block.code, SEND_BLOCK_MESSAGES[block.code], { retryAfterSeconds: block.seconds });
      }

      let verification = await this.verifications.findPending(userId, manager);
      if (verification && (verification.expiresAt <= now || verification.phoneE164 !== user.phoneE164)) {
        const expired = verification.expiresAt <= now;
        await this.verifications.endPending(
          manager,
          verification.id,
          expired ? 'expired' : 'canceled',
          now,
          expired ? null : 'number_changed',
        );
        verification = null;
      }
      let previous: SendState | null = null;
      if (verification) {
        previous = { channel: verification.channel, lastSentAt: verification.lastSentAt };
        await this.verifications.recordSend(manager, verification.id, channel, now);
        Object.assign(verification, { channel, lastSentAt: now, sendCount: verification.sendCount + 1 });
      } else {
        verification = this.newVerification(
          userId,
          {
            e164: user.phoneE164,
            countryCode: user.phoneCountryCode,
            nationalNumber: user.phoneNationalNumber,
          },
          channel,
          now,
        );
        await this.verifications.insert(manager, verification);
      }
      const eventId = await this.verifications.addEvent(manager, {
        verificationId: verification.id,
        userId,
        kind: 'send',
        channel,
        at: now,
      });
      const resendAfterSeconds = Math.ceil(this.sendBlock([...sends, now], now)?.seconds ?? 0);
      return { verification, previous, eventId, resendAfterSeconds };
    });
  }

  /** Whether the cooldown or the hourly cap holds back the next send, given the sends of the last hour. */
  private sendBlock(sends: Date[], now: Date): { code: SendBlockCode; seconds: number } | null {
    const lastSend = sends.at(-1);
    const cooldownEnds = lastSend ? lastSend.getTime() + this.config.resendCooldownSeconds * 1000 : 0;
    if (cooldownEnds > now.getTime())
      return { code: 'RESEND_TOO_SOON', seconds: (cooldownEnds - now.getTime()) / 1000 };
    const cap = this.config.maxSendsPerHour;
    if (sends.length < cap) return null;
    const oldest = sends[sends.length - cap];
    return { code: 'SEND_LIMIT_REACHED', seconds: (oldest.getTime() + HOUR_MS - now.getTime()) / 1000 };
  }

  /** A send the provider did not make consumes no slot. */
  private async releaseSend(
    manager: EntityManager,
    { verification, previous, eventId }: ReservedSend,
  ): Promise<void> {
    await this.verifications.removeEvent(manager, eventId);
    if (previous)
      await this.verifications.undoSend(manager, verification.id, verification.lastSentAt!, previous);
    else await this.verifications.remove(manager, verification.id);
  }

  private newVerification(
    userId: string,
    to: VerificationDestination,
    channel: Channel,
    now: Date,
  ): PhoneVerification {
    return Object.assign(new PhoneVerification(), {
      id: randomUUID(),
      userId,
      phoneE164: to.e164,
      phoneCountryCode: to.countryCode,
      phoneNationalNumber: to.nationalNumber,
      channel,
      status: 'pending',
      cancelReason: null,
      providerReference: null,
      attempts: 0,
      failedAttempts: 0,
      sendCount: 1,
      lastSentAt: now,
      expiresAt: new Date(now.getTime() + this.config.codeTtlSeconds * 1000),
      createdAt: now,
      updatedAt: now,
    } satisfies PhoneVerification);
  }

  /** Refuses, without calling the provider, a check that cannot succeed. */
  private async assertCheckable(
    userId: string,
    verification: PhoneVerification | null,
    now: Date,
  ): Promise<void> {
    if (!verification || verification.status === 'approved') {
      throw new AppError('NO_PENDING_VERIFICATION', 'There is no pending verification: start one first');
    }
    if (verification.status === 'expired') {
      throw new AppError('VERIFICATION_EXPIRED', 'The code has expired: start a new verification');
    }
    if (verification.status === 'canceled') {
      if (verification.cancelReason === 'too_many_attempts') throw this.tooManyAttempts();
      throw new AppError('NO_PENDING_VERIFICATION', 'There is no pending verification: start one first');
    }
    if (verification.expiresAt <= now) {
      await this.transactions.run((manager) =>
        this.verifications.endPending(manager, verification.id, 'expired', now),
      );
      this.logEvent('verification.check', userId, verification, 'expired');
      throw new AppError('VERIFICATION_EXPIRED', 'The code has expired: start a new verification');
    }
  }

  /** Why a verification that looked pending could not take this check (a concurrent request changed it). */
  private async notCheckable(id: string): Promise<AppError> {
    const current = await this.verifications.findById(id);
    if (current?.cancelReason === 'too_many_attempts') return this.tooManyAttempts();
    if (current?.status === 'pending') {
      if (current.failedAttempts >= this.config.maxCheckAttempts) return this.tooManyAttempts();
      // Every remaining attempt is being checked by a concurrent request right now.
      return new AppError('RATE_LIMITED', 'Other checks of this code are in progress, try again', {
        retryAfterSeconds: 1,
      });
    }
    if (current?.status === 'expired') {
      return new AppError('VERIFICATION_EXPIRED', 'The code has expired: start a new verification');
    }
    return new AppError('NO_PENDING_VERIFICATION', 'There is no pending verification: start one first');
  }

  private async rejectWrongCode(userId: string, pending: PhoneVerification): Promise<never> {
    const now = this.clock.now();
    const failedAttempts = await this.transactions.run(async (manager) => {
      await this.verifications.addEvent(manager, {
        verificationId: pending.id,
        userId,
        kind: 'failed_check',
        at: now,
      });
      const failed = await this.verifications.recordWrongCode(manager, pending.id);
      if (failed >= this.config.maxCheckAttempts) {
        await this.verifications.endPending(manager, pending.id, 'canceled', now, 'too_many_attempts');
      }
      return failed;
    });
    const attemptsRemaining = Math.max(0, this.config.maxCheckAttempts - failedAttempts);
    this.logEvent('verification.check', userId, pending, 'wrong_code', { attemptsRemaining });
    if (attemptsRemaining === 0) await this.cancelAtProvider(pending);
    throw new AppError('INVALID_CODE', 'The code is not correct', { extra: { attemptsRemaining } });
  }

  /**
   * The provider has approved, and forgets the verification: the approval must not be lost, so the commit is
   * retried, and the answer is 200 only once it committed.
   */
  private async confirm(
    userId: string,
    verification: PhoneVerification,
    session: SessionContext,
  ): Promise<CheckVerificationResponseDto> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.confirmOnce(userId, verification, attempt > 1, session);
      } catch (error) {
        if (error instanceof AppError || attempt > CONFIRM_RETRY_DELAYS_MS.length) throw error;
        this.logger.warn({ event: 'verification.confirm_retry', userId, attempt, err: error });
        await new Promise((resolve) => setTimeout(resolve, CONFIRM_RETRY_DELAYS_MS[attempt - 1]));
      }
    }
  }

  private async confirmOnce(
    userId: string,
    verification: PhoneVerification,
    retrying: boolean,
    session: SessionContext,
  ): Promise<CheckVerificationResponseDto> {
    const now = this.clock.now();
    let user: User | null;
    try {
      user = await this.transactions.run(async (manager) => {
        // The user's row first, as a start locks it: two transactions never take the locks in opposite order.
        const locked = await this.users.findByIdForUpdate(manager, userId);
        if (!(await this.verifications.approve(manager, verification.id, now))) {
          // A retry whose first commit went through although its answer was lost: the approval stands.
          if (retrying && locked?.phoneConfirmed && locked.phoneE164 === verification.phoneE164)
            return locked;
          throw await this.alreadyHandled(manager, userId);
        }
        if (!(await this.users.confirmPhone(manager, userId, verification.phoneE164, now))) {
          throw await this.alreadyHandled(manager, userId);
        }
        return this.users.findByIdWith(manager, userId);
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await this.transactions.run((manager) =>
        this.verifications.endPending(manager, verification.id, 'canceled', now, 'number_taken'),
      );
      this.logEvent('verification.check', userId, verification, 'number_taken');
      throw new AppError('PHONE_NUMBER_TAKEN', 'Another account has already confirmed this phone number');
    }
    if (!user) throw new AppError('UNAUTHORIZED', 'The account no longer exists');
    await this.pumping.recordApproval(countryOf(verification.phoneE164));
    this.logEvent('verification.check', userId, verification, 'approved');
    return {
      phoneNumberConfirmed: true,
      phoneNumber: verification.phoneE164,
      accessToken: (await this.tokens.issue(user, session)).accessToken,
    };
  }

  private async alreadyHandled(manager: EntityManager, userId: string): Promise<AppError> {
    const user = await this.users.findByIdWith(manager, userId);
    if (user?.phoneConfirmed)
      return new AppError('PHONE_ALREADY_CONFIRMED', 'The phone number is already confirmed');
    return new AppError('NO_PENDING_VERIFICATION', 'There is no pending verification: start one first');
  }

  private async assertDailyFailuresBelowCap(
    userId: string,
    now: Date,
    manager?: EntityManager,
    checksInFlight = 0,
  ): Promise<void> {
    const cap = this.config.maxFailedChecksPerDay;
    const failures = await this.verifications.eventTimes(
      userId,
      'failed_check',
      new Date(now.getTime() - DAY_MS),
      manager,
    );
    // Checks still waiting for the provider may each become a wrong code: they count against the cap.
    if (failures.length + checksInFlight < cap) return;
    const oldest = failures.at(failures.length - cap);
    this.logger.warn({ event: 'verification.limit', userId, limit: 'failed_checks_per_day' });
    throw new AppError('TOO_MANY_ATTEMPTS', 'Too many wrong codes today, try again later', {
      retryAfterSeconds:
        oldest && failures.length >= cap ? (oldest.getTime() + DAY_MS - now.getTime()) / 1000 : 1,
    });
  }

  private tooManyAttempts(): AppError {
    return new AppError('TOO_MANY_ATTEMPTS', 'Too many wrong codes: start a new verification', {
      retryAfterSeconds: this.config.resendCooldownSeconds || 1,
    });
  }

  private async cancelPending(
    manager: EntityManager,
    userId: string,
    reason: CancelReason,
  ): Promise<PhoneVerification | null> {
    const pending = await this.verifications.findPending(userId, manager);
    if (!pending) return null;
    const canceled = await this.verifications.endPending(
      manager,
      pending.id,
      'canceled',
      this.clock.now(),
      reason,
    );
    return canceled ? pending : null;
  }

  /** Twilio asks that every verification end in a check or a cancel; a failed cancel harms nobody. */
  private async cancelAtProvider(verification: PhoneVerification): Promise<void> {
    try {
      await this.provider.cancel({
        to: destinationOf(verification),
        reference: verification.providerReference ?? undefined,
      });
    } catch (error) {
      this.logger.warn({
        event: 'verification.cancel_failed',
        verificationId: verification.id,
        err: String(error),
      });
    }
  }

  private providerFailure(
    error: unknown,
    step: 'start' | 'check',
    userId: string,
    verification: PhoneVerification,
  ): Error {
    if (!(error instanceof VerificationProviderError))
      return error instanceof Error ? error : new Error(String(error));
    const { code, message } = FAILURE_ERRORS[error.failure];
    this.logEvent(`verification.${step}`, userId, verification, error.failure, {
      upstreamCode: error.detail.upstreamCode,
    });
    const retryAfterSeconds =
      code === 'RATE_LIMITED' || code === 'SEND_LIMIT_REACHED' || code === 'TOO_MANY_ATTEMPTS'
        ? (error.detail.retryAfterSeconds ?? (code === 'RATE_LIMITED' ? 60 : this.config.codeTtlSeconds))
        : undefined;
    return new AppError(code, message, { retryAfterSeconds });
  }

  private logEvent(
    event: string,
    userId: string,
    verification: PhoneVerification,
    outcome: string,
    extra: Record<string, unknown> = {},
  ): void {
    // Every outcome that is logged is counted.
    this.metrics.verificationEvent(event, verification, outcome);
    this.logger.log({
      event,
      userId,
      verificationId: verification.id,
      to: maskPhoneNumber(verification.phoneCountryCode, verification.phoneNationalNumber),
      outcome,
      ...extra,
    });
  }
}

/** A timeout or a connection lost without an answer: the provider may have sent (and billed) the code. */
function sendMayHaveHappened(error: unknown): boolean {
  if (!(error instanceof VerificationProviderError)) return false;
  if (error.failure === 'timeout') return true;
  const { upstreamStatus, upstreamCode } = error.detail;
  return error.failure === 'provider_error' && upstreamStatus === undefined && !isNotSentCode(upstreamCode);
}

function destinationOf(verification: PhoneVerification): VerificationDestination {
  return {
    e164: verification.phoneE164,
    countryCode: verification.phoneCountryCode,
    nationalNumber: verification.phoneNationalNumber,
  };
}

function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.ceil((to.getTime() - from.getTime()) / 1000));
}
