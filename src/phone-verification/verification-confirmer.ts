import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccessTokenService } from '../auth/access-token.service';
import { AppError } from '../common/app-error';
import { SessionContext } from '../common/decorators/current-session.decorator';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../database/database-errors';
import { TransactionRunner } from '../database/transaction-runner';
import { countryOf } from '../metrics/country';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { CheckVerificationResponseDto } from './dto/verification-response.dto';
import { PhoneVerification } from './entities/phone-verification.entity';
import { PhoneVerificationRepository } from './phone-verification.repository';
import { PumpingGuard } from './pumping/pumping-guard.service';
import { VerificationEvents } from './verification-events';

// The provider forgets an approved verification: its approval is committed with retries, never dropped.
const CONFIRM_RETRY_DELAYS_MS = [100, 500, 2000];

/**
 * Confirms a number the provider approved: the verification and the user's number in one transaction, retried
 * until it commits, and the answer is 200 only once it did.
 */
@Injectable()
export class VerificationConfirmer {
  private readonly logger = new Logger('PhoneVerification');

  constructor(
    private readonly verifications: PhoneVerificationRepository,
    private readonly users: UsersService,
    private readonly tokens: AccessTokenService,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly events: VerificationEvents,
    private readonly pumping: PumpingGuard,
  ) {}

  async confirm(
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
      this.events.record('verification.check', userId, verification, 'number_taken');
      throw new AppError('PHONE_NUMBER_TAKEN', 'Another account has already confirmed this phone number');
    }
    if (!user) throw new AppError('UNAUTHORIZED', 'The account no longer exists');
    await this.pumping.recordApproval(countryOf(verification.phoneE164));
    this.events.record('verification.check', userId, verification, 'approved');
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
}
