import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../database/database-errors';
import { PreparedSql } from '../database/prepared-sql';
import { TransactionRunner } from '../database/transaction-runner';
import { User } from './entities/user.entity';
import { ParsedPhoneNumber } from './phone-number.parser';
import { needsRecentAuthentication, PhoneChangeAuthentication } from './phone-change.policy';

@Injectable()
export class UsersService {
  private byIdForUpdate?: PreparedSql;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /** @throws AppError `EMAIL_TAKEN` */
  async create(email: string, passwordHash: string): Promise<User> {
    const now = this.clock.now();
    const user = this.users.create({
      id: randomUUID(),
      email,
      passwordHash,
      phoneE164: null,
      phoneCountryCode: null,
      phoneNationalNumber: null,
      phoneConfirmed: false,
      phoneConfirmedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.transactions.run((manager) => manager.insert(User, user));
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('EMAIL_TAKEN', 'An account with this email already exists');
      throw error;
    }
    delete user.passwordHash;
    return user;
  }

  findByIdWith(manager: EntityManager, id: string): Promise<User | null> {
    return manager.findOneBy(User, { id });
  }

  /**
   * Reads the user and, on PostgreSQL, locks the row until the transaction ends, so that one user's
   * verification steps run one after the other. (SQLite transactions already run one at a time.)
   */
  findByIdForUpdate(manager: EntityManager, id: string): Promise<User | null> {
    this.byIdForUpdate ??= new PreparedSql(
      manager.connection,
      ({ columns, table, column, parameter }) =>
        `SELECT ${columns('u')} FROM ${table(User)} u WHERE ${column(User, 'id', 'u')} = ${parameter(0)}` +
        (manager.connection.options.type === 'postgres' ? ' FOR UPDATE' : ''),
      User,
    );
    return this.byIdForUpdate.one(User, [id], manager);
  }

  /** One of the two reads of the password hash (at login). */
  findByEmailWithPasswordHash(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.email = :email', { email })
      .getOne();
  }

  /** The other read of the password hash (to change the password). */
  findByIdWithPasswordHash(id: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.id = :id', { id })
      .getOne();
  }

  async setPasswordHash(manager: EntityManager, id: string, passwordHash: string): Promise<void> {
    await manager.update(User, { id }, { passwordHash, updatedAt: this.clock.now() });
  }

  /**
   * Stores a new number, unconfirmed, or removes it (`null`). Setting the number the user already has changes
   * nothing. Runs inside the caller's transaction so the caller can cancel what depended on the old number.
   * @throws AppError `REAUTHENTICATION_REQUIRED` to replace or remove a confirmed number without a recent password
   */
  async changePhone(
    manager: EntityManager,
    userId: string,
    phone: ParsedPhoneNumber | null,
    authentication: PhoneChangeAuthentication = { recentlyAuthenticated: false },
  ): Promise<{ user: User; changed: boolean }> {
    const user = await manager.findOneBy(User, { id: userId });
    if (!user) throw new AppError('UNAUTHORIZED', 'The account no longer exists');
    if ((phone?.e164 ?? null) === user.phoneE164) return { user, changed: false };
    if (needsRecentAuthentication(user, phone?.e164 ?? null) && !authentication.recentlyAuthenticated) {
      throw new AppError(
        'REAUTHENTICATION_REQUIRED',
        'Changing a confirmed phone number needs a recent password: log in again',
        // RFC 9470: the token is fine, the authentication behind it is too old.
        {
          wwwAuthenticate:
            'Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required"',
        },
      );
    }
    Object.assign(user, {
      phoneE164: phone?.e164 ?? null,
      phoneCountryCode: phone?.countryCode ?? null,
      phoneNationalNumber: phone?.nationalNumber ?? null,
      phoneConfirmed: false,
      phoneConfirmedAt: null,
      updatedAt: this.clock.now(),
    });
    await manager.update(
      User,
      { id: userId },
      {
        phoneE164: user.phoneE164,
        phoneCountryCode: user.phoneCountryCode,
        phoneNationalNumber: user.phoneNationalNumber,
        phoneConfirmed: false,
        phoneConfirmedAt: null,
      },
    );
    return { user, changed: true };
  }

  /** Puts back a number, unconfirmed, if the user's number is still `stored` and unconfirmed. */
  async restorePhone(
    manager: EntityManager,
    userId: string,
    previous: Pick<User, 'phoneE164' | 'phoneCountryCode' | 'phoneNationalNumber'>,
    stored: string,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(User)
      .set({ ...previous, phoneConfirmed: false, phoneConfirmedAt: null })
      .where('id = :userId AND phone_e164 = :stored AND phone_confirmed = :confirmed', {
        userId,
        stored,
        confirmed: false,
      })
      .execute();
  }

  /**
   * Confirms the number if it is still the user's number. The partial unique index refuses a number that
   * another account has confirmed: the unique violation reaches the caller.
   */
  async confirmPhone(manager: EntityManager, userId: string, e164: string, at: Date): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(User)
      .set({ phoneConfirmed: true, phoneConfirmedAt: at })
      .where('id = :userId AND phone_e164 = :e164 AND phone_confirmed = :confirmed', {
        userId,
        e164,
        confirmed: false,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
