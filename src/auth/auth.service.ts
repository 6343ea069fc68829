import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { TransactionRunner } from '../database/transaction-runner';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { IdentityMetrics } from '../metrics/identity-metrics';
import { TokenPairDto } from './dto/token-pair.dto';
import { LoginThrottle } from './login-throttle.service';
import { PasswordHasher } from './password-hasher';
import { SessionsService } from './sessions.service';

@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottle,
    private readonly transactions: TransactionRunner,
    private readonly metrics: IdentityMetrics,
  ) {}

  /** Creates the account and its first session. @throws AppError `EMAIL_TAKEN` */
  async register(email: string, password: string): Promise<TokenPairDto> {
    const user = await this.users.create(email, await this.hasher.hash(password));
    this.logger.log({ event: 'register', userId: user.id, outcome: 'created' });
    return this.sessions.begin(user);
  }

  /**
   * A wrong password and an unknown email fail alike, in body and in time (the unknown email is hashed
   * against a dummy). A success starts a new session. @throws AppError `INVALID_CREDENTIALS`, `RATE_LIMITED`
   */
  async login(email: string, password: string, address: string): Promise<TokenPairDto> {
    const user = await this.checkPassword(email, password, address, () =>
      this.users.findByEmailWithPasswordHash(email),
    );
    this.logger.log({ event: 'login', userId: user.id, outcome: 'success' });
    this.metrics.login('success');
    return this.sessions.begin(user);
  }

  /**
   * Replaces the password after checking the current one (a wrong one counts as a failed login), ends every
   * session of the user and starts a new one. @throws AppError `INVALID_CREDENTIALS`, `RATE_LIMITED`
   */
  async changePassword(
    current: User,
    currentPassword: string,
    newPassword: string,
    address: string,
  ): Promise<TokenPairDto> {
    const user = await this.checkPassword(current.email, currentPassword, address, () =>
      this.users.findByIdWithPasswordHash(current.id),
    );
    const passwordHash = await this.hasher.hash(newPassword);
    const { grant, ended } = await this.transactions.run(async (manager) => {
      await this.users.setPasswordHash(manager, user.id, passwordHash);
      const endedSessions = await this.sessions.endAllWith(manager, user.id, 'password_changed');
      return { grant: await this.sessions.beginWith(manager, user.id), ended: endedSessions };
    });
    this.logger.log({ event: 'password_change', userId: user.id, outcome: 'success', sessionsEnded: ended });
    return this.sessions.tokenPair(user, grant);
  }

  private async checkPassword(
    email: string,
    password: string,
    address: string,
    find: () => Promise<User | null>,
  ): Promise<User> {
    const attempt = await this.throttle.begin(email, address).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'RATE_LIMITED') this.metrics.login('rate_limited');
      throw error;
    });
    let user: User | null;
    let valid: boolean;
    try {
      user = await find();
      valid = user?.passwordHash
        ? await this.hasher.verify(user.passwordHash, password)
        : await this.hasher.verifyAgainstDummy(password);
    } catch (error) {
      await this.throttle.abandon(attempt).catch(() => undefined);
      throw error;
    }
    if (!user || !valid) {
      this.logger.log({ event: 'login', userId: user?.id, outcome: 'invalid_credentials' });
      this.metrics.login('invalid_credentials');
      await this.throttle.failed(attempt);
      throw new AppError('INVALID_CREDENTIALS', 'Email or password is incorrect');
    }
    await this.throttle.succeeded(attempt);
    delete user.passwordHash;
    return user;
  }
}
