import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { UserResponseDto } from '../users/dto/user-response.dto';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { IdentityMetrics } from '../metrics/identity-metrics';
import { AccessTokenService } from './access-token.service';
import { AuthResponseDto } from './dto/auth-response.dto';
import { LoginThrottle } from './login-throttle.service';
import { PasswordHasher } from './password-hasher';

@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: AccessTokenService,
    private readonly throttle: LoginThrottle,
    private readonly metrics: IdentityMetrics,
  ) {}

  /** @throws AppError `EMAIL_TAKEN` */
  async register(email: string, password: string): Promise<AuthResponseDto> {
    const user = await this.users.create(email, await this.hasher.hash(password));
    this.logger.log({ event: 'register', userId: user.id, outcome: 'created' });
    return { ...this.tokens.issue(user), user: UserResponseDto.from(user) };
  }

  /**
   * A wrong password and an unknown email fail alike, in body and in time (the unknown email is hashed
   * against a dummy). @throws AppError `INVALID_CREDENTIALS`, `RATE_LIMITED`
   */
  async login(email: string, password: string, address: string): Promise<AuthResponseDto> {
    await this.throttle.begin(email, address).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'RATE_LIMITED') this.metrics.login('rate_limited');
      throw error;
    });
    let user: User | null;
    let valid: boolean;
    try {
      user = await this.users.findByEmailWithPasswordHash(email);
      valid = user?.passwordHash
        ? await this.hasher.verify(user.passwordHash, password)
        : await this.hasher.verifyAgainstDummy(password);
    } catch (error) {
      await this.throttle.abandon(email, address).catch(() => undefined);
      throw error;
    }
    if (!user || !valid) {
      this.logger.log({ event: 'login', userId: user?.id, outcome: 'invalid_credentials' });
      this.metrics.login('invalid_credentials');
      throw new AppError('INVALID_CREDENTIALS', 'Email or password is incorrect');
    }
    await this.throttle.succeeded(email, address);
    delete user.passwordHash;
    this.logger.log({ event: 'login', userId: user.id, outcome: 'success' });
    this.metrics.login('success');
    return { ...this.tokens.issue(user), user: UserResponseDto.from(user) };
  }
}
