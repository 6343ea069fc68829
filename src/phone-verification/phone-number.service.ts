import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { User } from '../users/entities/user.entity';
import { PhoneChangeAuthentication } from '../users/phone-change.policy';
import { ParsedPhoneNumber, PhoneNumberInput, PhoneNumberParser } from '../users/phone-number.parser';
import { UsersService } from '../users/users.service';
import { CancelReason, PhoneVerification } from './entities/phone-verification.entity';
import { PhoneVerificationRepository } from './phone-verification.repository';
import { VERIFICATION_PROVIDER, VerificationProvider } from './providers/verification-provider.interface';
import { destinationOf } from './verification-events';

/** The number a user had before a change, to put back when the request that changed it is refused. */
export type StoredPhone = Pick<User, 'phoneE164' | 'phoneCountryCode' | 'phoneNationalNumber'>;

/** Storing a user's number: a changed number is unconfirmed and its pending verification cancelled. */
@Injectable()
export class PhoneNumberService {
  private readonly logger = new Logger('PhoneVerification');

  constructor(
    private readonly verifications: PhoneVerificationRepository,
    private readonly users: UsersService,
    private readonly parser: PhoneNumberParser,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    @Inject(VERIFICATION_PROVIDER) private readonly provider: VerificationProvider,
  ) {}

  /** Stores a number (or removes it with `null`). */
  async setPhoneNumber(
    userId: string,
    input: PhoneNumberInput | null,
    authentication: PhoneChangeAuthentication,
  ): Promise<User> {
    const phone = input ? this.parser.parse(input) : null;
    const { user, canceled } = await this.transactions.run((manager) =>
      this.change(manager, userId, phone, authentication),
    );
    if (canceled) await this.cancelAtProvider(canceled);
    return user;
  }

  /** Within the caller's transaction; the caller cancels `canceled` at the provider once it has committed. */
  async change(
    manager: EntityManager,
    userId: string,
    phone: ParsedPhoneNumber | null,
    authentication: PhoneChangeAuthentication = { recentlyAuthenticated: false },
  ): Promise<{ user: User; previous: StoredPhone; canceled: PhoneVerification | null }> {
    const before = await this.users.findByIdWith(manager, userId);
    const previous: StoredPhone = {
      phoneE164: before?.phoneE164 ?? null,
      phoneCountryCode: before?.phoneCountryCode ?? null,
      phoneNationalNumber: before?.phoneNationalNumber ?? null,
    };
    const change = await this.users.changePhone(manager, userId, phone, authentication);
    const canceled = change.changed ? await this.cancelPending(manager, userId, 'number_changed') : null;
    return { user: change.user, previous, canceled };
  }

  /** Puts back the number a refused request had stored, unless something changed it since. */
  async restore(
    manager: EntityManager,
    userId: string,
    previous: StoredPhone,
    stored: string,
  ): Promise<void> {
    await this.users.restorePhone(manager, userId, previous, stored);
  }

  async cancelPending(
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

  /**
   * Twilio asks that every verification end in a check or a cancel. But the provider keeps one code per number:
   * while another account waits for a code to that number, cancelling would take its code away, so it is left
   * to expire. A failed cancel harms nobody.
   */
  async cancelAtProvider(verification: PhoneVerification): Promise<void> {
    try {
      if (await this.verifications.othersPendingFor(verification.phoneE164, verification.userId)) return;
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
}
