import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AppError } from '../common/app-error';
import { SessionContext } from '../common/decorators/current-session.decorator';
import { Clock } from '../common/clock';
import { verifyConfig } from '../config';
import { TransactionRunner } from '../database/transaction-runner';
import { countryOf } from '../metrics/country';
import { User } from '../users/entities/user.entity';
import { PhoneChangeAuthentication } from '../users/phone-change.policy';
import { maskPhoneNumber, PhoneNumberInput, PhoneNumberParser } from '../users/phone-number.parser';
import { CheckRules, expired, ReservedCheck } from './check-rules';
import {
  CheckVerificationResponseDto,
  StartVerificationResponseDto,
  VerificationStatusResponseDto,
} from './dto/verification-response.dto';
import { PhoneVerification } from './entities/phone-verification.entity';
import { GuessCaps } from './guess-caps';
import { PhoneNumberService } from './phone-number.service';
import { PhoneVerificationRepository } from './phone-verification.repository';
import { PumpingGuard } from './pumping/pumping-guard.service';
import { attemptsRemaining } from './policy/check-policy';
import { providerFailureError, providerMayHaveActed } from './policy/provider-failure';
import { providerLocales, providerSupportsLocale } from './policy/provider-locales';
import { secondsBetween, sendBlockOf } from './policy/send-policy';
import {
  Channel,
  VERIFICATION_PROVIDER,
  VerificationProvider,
  VerificationProviderError,
} from './providers/verification-provider.interface';
import { ReservedSend, SendRules } from './send-rules';
import { VerificationConfirmer } from './verification-confirmer';
import { destinationOf, VerificationEvents } from './verification-events';

export interface StartRequest {
  channel?: Channel;
  locale?: string;
  countryCode?: number;
  phoneNumber?: string;
}

/** Who is asking: the client address the per-address cap counts. */
export interface ClientContext {
  address: string;
}

/**
 * Phone verification, step by step: each step asks the rules (send rules, check rules, caps) first, then the
 * provider, then records the outcome. The rules live in the classes it calls, the arithmetic in `policy/`.
 */
@Injectable()
export class PhoneVerificationService {
  constructor(
    private readonly verifications: PhoneVerificationRepository,
    private readonly phoneNumbers: PhoneNumberService,
    private readonly parser: PhoneNumberParser,
    private readonly sends: SendRules,
    private readonly checks: CheckRules,
    private readonly guesses: GuessCaps,
    private readonly confirmer: VerificationConfirmer,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly events: VerificationEvents,
    private readonly pumping: PumpingGuard,
    @Inject(VERIFICATION_PROVIDER) private readonly provider: VerificationProvider,
    @Inject(verifyConfig.KEY) private readonly config: ConfigType<typeof verifyConfig>,
  ) {}

  /**
   * Stores a number (or removes it with `null`); a changed number is unconfirmed and its pending code cancelled.
   * Replacing or removing a confirmed number needs a recent password (`REAUTHENTICATION_REQUIRED`).
   */
  setPhoneNumber(
    userId: string,
    input: PhoneNumberInput | null,
    authentication: PhoneChangeAuthentication = { recentlyAuthenticated: false },
  ): Promise<User> {
    return this.phoneNumbers.setPhoneNumber(userId, input, authentication);
  }

  async start(
    user: User,
    request: StartRequest,
    client: ClientContext = { address: 'unknown' },
  ): Promise<StartVerificationResponseDto> {
    // Everything the request alone can be judged on, before anything is counted or written.
    const channel = request.channel ?? 'sms';
    this.assertChannel(channel);
    this.assertLocale(request.locale);
    const phone =
      request.phoneNumber !== undefined
        ? this.parser.parse({ phoneNumber: request.phoneNumber, countryCode: request.countryCode })
        : null;

    const reserved = await this.sends.reserve({
      userId: user.id,
      seen: user,
      channel,
      phone,
      address: client.address,
    });
    const { verification } = reserved;
    let reference: string | undefined;
    try {
      await this.guesses.coverNextCode(verification.phoneE164);
      ({ reference } = await this.provider.start({
        to: destinationOf(verification),
        channel,
        locale: request.locale,
        codeLength: this.config.codeLength,
      }));
    } catch (error) {
      // A send that may have gone out (and been billed) keeps its slot: the cooldown and the caps still hold.
      if (!providerMayHaveActed(error)) await this.sends.release(reserved);
      throw this.providerFailure(error, 'start', user.id, verification);
    }
    await this.afterSend(reserved, reference);
    await this.pumping.recordSend(countryOf(verification.phoneE164));
    this.events.record('verification.start', user.id, verification, 'sent', { channel });
    return {
      status: 'pending',
      channel,
      to: maskPhoneNumber(verification.phoneCountryCode, verification.phoneNationalNumber),
      expiresInSeconds: secondsBetween(this.clock.now(), verification.expiresAt),
      resendAfterSeconds: reserved.resendAfterSeconds,
    };
  }

  /** On success, answers a fresh access token for the caller's session. */
  async check(userId: string, code: string, session: SessionContext): Promise<CheckVerificationResponseDto> {
    const now = this.clock.now();
    await this.checks.assertDailyFailuresBelowCap(userId, now);
    const verification = await this.verifications.findLatest(userId);
    await this.checks.assertCheckable(userId, verification, now);
    const reserved = await this.checks.reserve(userId, verification!);
    const pending = reserved.verification;

    let outcome;
    try {
      outcome = await this.provider.check({
        to: destinationOf(pending),
        code,
        reference: pending.providerReference ?? undefined,
      });
    } catch (error) {
      await this.afterFailedCheck(userId, reserved, error);
      throw this.providerFailure(error, 'check', userId, pending);
    }

    if (outcome === 'approved') {
      await reserved.guess.giveBack();
      return this.confirmer.confirm(userId, pending, session);
    }
    if (outcome === 'not_found') {
      await reserved.guess.giveBack();
      const ended = await this.transactions.run((manager) =>
        this.verifications.endPending(manager, pending.id, 'expired', this.clock.now()),
      );
      if (!ended) throw await this.checks.notCheckable(pending.id);
      this.events.record('verification.check', userId, pending, 'expired_at_provider');
      throw expired();
    }
    const remaining = await this.checks.recordWrongCode(userId, reserved);
    this.events.record('verification.check', userId, pending, 'wrong_code', {
      attemptsRemaining: remaining,
    });
    if (remaining === 0) await this.phoneNumbers.cancelAtProvider(pending);
    throw new AppError('INVALID_CODE', 'The code is not correct', {
      extra: { attemptsRemaining: remaining },
    });
  }

  async status(user: User): Promise<VerificationStatusResponseDto> {
    const now = this.clock.now();
    const pending = await this.verifications.findPending(user.id);
    const live = pending && pending.expiresAt > now && pending.phoneE164 === user.phoneE164 ? pending : null;
    if (!live)
      return { phoneNumber: user.phoneE164, phoneNumberConfirmed: user.phoneConfirmed, pending: null };
    const [sends] = await this.verifications.eventHistories(user.id, [this.sends.sendWindow(now)]);
    const testNumber = this.config.testNumbers.has(live.phoneE164);
    return {
      phoneNumber: user.phoneE164,
      phoneNumberConfirmed: user.phoneConfirmed,
      pending: {
        channel: live.channel,
        to: maskPhoneNumber(live.phoneCountryCode, live.phoneNationalNumber),
        expiresInSeconds: secondsBetween(now, live.expiresAt),
        resendAfterSeconds: Math.ceil(
          sendBlockOf(sends, now, this.config, { cooldown: !testNumber })?.seconds ?? 0,
        ),
        attemptsRemaining: attemptsRemaining(this.config.maxCheckAttempts, live.failedAttempts),
      },
    };
  }

  private assertChannel(channel: Channel): void {
    if (!this.provider.channels.includes(channel)) {
      throw new AppError(
        'CHANNEL_NOT_SUPPORTED',
        `The ${channel} channel is not available with this provider`,
      );
    }
  }

  /** A locale the provider does not know is the client's mistake (400), never the provider's refusal (502). */
  private assertLocale(locale: string | undefined): void {
    if (locale === undefined || providerSupportsLocale(this.config.provider, locale)) return;
    const message = `locale must be one of ${providerLocales(this.config.provider).join(', ')}`;
    throw new AppError('VALIDATION_FAILED', message, {
      extra: { details: [{ field: 'locale', messages: [message] }] },
    });
  }

  private async afterSend(reserved: ReservedSend, reference: string | undefined): Promise<void> {
    const { verification } = reserved;
    if (reference && reference !== verification.providerReference) {
      await this.verifications.setProviderReference(this.transactions, verification.id, reference);
    }
    if (reserved.canceled) await this.phoneNumbers.cancelAtProvider(reserved.canceled);
  }

  /**
   * The provider's own attempt cap ends the verification; a check it may have judged (a timeout) counts as a
   * wrong code; a check it never judged gives its attempt and its guess back.
   */
  private async afterFailedCheck(userId: string, reserved: ReservedCheck, error: unknown): Promise<void> {
    const { verification } = reserved;
    if (error instanceof VerificationProviderError && error.failure === 'too_many_attempts') {
      await this.transactions.run((manager) =>
        this.verifications.endPending(
          manager,
          verification.id,
          'canceled',
          this.clock.now(),
          'too_many_attempts',
        ),
      );
    } else if (providerMayHaveActed(error)) {
      await this.checks.recordWrongCode(userId, reserved);
    } else {
      await this.checks.release(reserved);
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
    this.events.record(`verification.${step}`, userId, verification, error.failure, {
      upstreamCode: error.detail.upstreamCode,
    });
    return providerFailureError(error, this.config.codeTtlSeconds);
  }
}
