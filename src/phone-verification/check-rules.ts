import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { verifyConfig } from '../config';
import { TransactionRunner } from '../database/transaction-runner';
import { UsersService } from '../users/users.service';
import { PhoneVerification } from './entities/phone-verification.entity';
import { GuessCaps, GuessClaim } from './guess-caps';
import { EventWindow, PhoneVerificationRepository } from './phone-verification.repository';
import { attemptsRemaining, DAY_MS, dailyFailureBlockOf, failurePositions } from './policy/check-policy';
import { EventHistory } from './policy/event-history';
import { VerificationEvents } from './verification-events';

/** A check allowed to reach the provider: one attempt of the verification and one guess at the number. */
export interface ReservedCheck {
  verification: PhoneVerification;
  guess: GuessClaim;
}

/**
 * The check rules: wrong codes per verification, per account per day, and per number across accounts. A check
 * takes its attempt and its guess before the provider judges it; a check the provider never judged gives them
 * back, and one it may have judged (a timeout) counts as a wrong code.
 */
@Injectable()
export class CheckRules {
  private readonly logger = new Logger('PhoneVerification');

  constructor(
    private readonly verifications: PhoneVerificationRepository,
    private readonly users: UsersService,
    private readonly guesses: GuessCaps,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly events: VerificationEvents,
    @Inject(verifyConfig.KEY) private readonly config: ConfigType<typeof verifyConfig>,
  ) {}

  /** @throws AppError when no check of this verification can succeed, without calling the provider */
  async assertCheckable(userId: string, verification: PhoneVerification | null, now: Date): Promise<void> {
    if (!verification || verification.status === 'approved') throw noPending();
    if (verification.status === 'expired') throw expired();
    if (verification.status === 'canceled') {
      if (verification.cancelReason === 'too_many_attempts') throw await this.tooManyAttempts(verification);
      throw noPending();
    }
    if (verification.expiresAt <= now) {
      await this.transactions.run((manager) =>
        this.verifications.endPending(manager, verification.id, 'expired', now),
      );
      this.events.record('verification.check', userId, verification, 'expired');
      throw expired();
    }
  }

  /** Takes an attempt of the verification and a guess at its number. */
  async reserve(userId: string, pending: PhoneVerification): Promise<ReservedCheck> {
    const now = this.clock.now();
    const reserved = await this.transactions.run(async (manager) => {
      // Locked like every other step of this user's verification, so that parallel checks see each other.
      await this.users.findByIdForUpdate(manager, userId);
      const current = await this.verifications.findById(pending.id, manager);
      const checksInFlight = current ? current.attempts - current.failedAttempts : 0;
      await this.assertDailyFailuresBelowCap(userId, now, manager, checksInFlight);
      return this.verifications.reserveAttempt(manager, pending.id, this.config.maxCheckAttempts);
    });
    if (!reserved) throw await this.notCheckable(pending.id);
    try {
      return { verification: pending, guess: await this.guesses.take(pending.phoneE164) };
    } catch (error) {
      await this.transactions.run((manager) => this.verifications.releaseAttempt(manager, pending.id));
      throw error;
    }
  }

  /** The provider never judged the code: the attempt and the guess are given back. */
  async release({ verification, guess }: ReservedCheck): Promise<void> {
    await this.transactions.run((manager) => this.verifications.releaseAttempt(manager, verification.id));
    await guess.giveBack();
  }

  /**
   * Counts a wrong code (or a check the provider may have judged) against the verification and the account's
   * day; the verification is cancelled at its last attempt. Returns the attempts left.
   */
  async recordWrongCode(userId: string, { verification }: ReservedCheck): Promise<number> {
    const now = this.clock.now();
    const failedAttempts = await this.transactions.run(async (manager) => {
      await this.verifications.addEvent(manager, {
        verificationId: verification.id,
        userId,
        kind: 'failed_check',
        at: now,
      });
      const failed = await this.verifications.recordWrongCode(manager, verification.id);
      if (failed >= this.config.maxCheckAttempts) {
        await this.verifications.endPending(manager, verification.id, 'canceled', now, 'too_many_attempts');
      }
      return failed;
    });
    return attemptsRemaining(this.config.maxCheckAttempts, failedAttempts);
  }

  async assertDailyFailuresBelowCap(
    userId: string,
    now: Date,
    manager?: EntityManager,
    checksInFlight = 0,
  ): Promise<void> {
    const [failures] = await this.verifications.eventHistories(
      userId,
      [this.dailyFailureWindow(now)],
      manager,
    );
    this.assertFailuresBelowCap(userId, failures, now, checksInFlight);
  }

  /** The wrong codes the daily cap reads: those of the last 24 hours. */
  dailyFailureWindow(now: Date): EventWindow {
    return {
      kind: 'failed_check',
      since: new Date(now.getTime() - DAY_MS),
      positions: failurePositions(this.config.maxFailedChecksPerDay),
    };
  }

  /** As `assertDailyFailuresBelowCap`, given the history of `dailyFailureWindow`. */
  assertFailuresBelowCap(userId: string, failures: EventHistory, now: Date, checksInFlight = 0): void {
    const block = dailyFailureBlockOf(failures, checksInFlight, this.config.maxFailedChecksPerDay, now);
    if (!block) return;
    this.logger.warn({ event: 'verification.limit', userId, limit: 'failed_checks_per_day' });
    throw new AppError('TOO_MANY_ATTEMPTS', 'Too many wrong codes today, try again later', {
      retryAfterSeconds: block.seconds,
    });
  }

  /**
   * The verification had its wrong codes: a new `start` is needed, and its code can be checked once the
   * cooldown has passed and the number takes guesses again.
   */
  private async tooManyAttempts(verification: PhoneVerification): Promise<AppError> {
    const numberWait = await this.guesses.waitSeconds(verification.phoneE164);
    return new AppError('TOO_MANY_ATTEMPTS', 'Too many wrong codes: start a new verification', {
      retryAfterSeconds: Math.max(this.config.resendCooldownSeconds, numberWait, 1),
    });
  }

  /** Why a verification that looked pending could not take this check (a concurrent request changed it). */
  async notCheckable(id: string): Promise<AppError> {
    const current = await this.verifications.findById(id);
    if (current?.cancelReason === 'too_many_attempts') return this.tooManyAttempts(current);
    if (current?.status === 'pending') {
      if (current.failedAttempts >= this.config.maxCheckAttempts) return this.tooManyAttempts(current);
      // Every remaining attempt is being checked by a concurrent request right now.
      return new AppError('RATE_LIMITED', 'Other checks of this code are in progress, try again', {
        retryAfterSeconds: 1,
      });
    }
    if (current?.status === 'expired') return expired();
    return noPending();
  }
}

export function noPending(): AppError {
  return new AppError('NO_PENDING_VERIFICATION', 'There is no pending verification: start one first');
}

export function expired(): AppError {
  return new AppError('VERIFICATION_EXPIRED', 'The code has expired: start a new verification');
}
