import { createSecretKey } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import jwt from 'jsonwebtoken';
import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '../common/app-error';
import { ErrorCode } from '../common/error-codes';
import { WindowLimits } from '../common/rate-limit/window-limits';
import { authConfig } from '../config/auth.config';
import { IdentityMetrics } from '../metrics/identity-metrics';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { EntityManager } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import { UserResponseDto } from '../users/dto/user-response.dto';
import { AccessTokenClaims, AccessTokenService } from './access-token.service';
import { TokenPairDto } from './dto/token-pair.dto';
import { SessionEndReason } from './entities/session.entity';
import { SigningKeys } from './keys/signing-keys';
import { SessionGrant, SessionsService } from './sessions.service';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle.service';
import { PasswordHasher } from './password-hasher';
import { verifyConfigWith } from '../../test/utils/verify-config';

const SECRET = 'auth-service-spec-secret-0123456789abcdef';
const MAX_PER_EMAIL = 3;
const MAX_PER_ADDRESS = 5;
const WINDOW_SECONDS = 900;

const config: ConfigType<typeof authConfig> = {
  signing: { algorithm: 'HS256', secret: createSecretKey(Buffer.from(SECRET)) },
  expiresInSeconds: 900,
  issuer: 'identity-service',
  audience: 'identity-service',
  refreshTokenTtlSeconds: 3600,
  refreshTokenReuseIntervalSeconds: 10,
  reauthMaxAgeSeconds: 300,
  publicUrl: 'http://localhost:3000',
  loginMaxFailuresPerEmail: MAX_PER_EMAIL,
  loginMaxFailuresPerAddress: MAX_PER_ADDRESS,
  loginFailureWindowSeconds: WINDOW_SECONDS,
};

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';
const WRONG_PASSWORD = 'wrong horse battery staple';
const ADDRESS = '203.0.113.7';
const OTHER_ADDRESS = '198.51.100.9';

/** The users table in memory. Like the database, it hands out the stored hash only through the named read. */
class FakeUsersService implements Pick<
  UsersService,
  'create' | 'findByEmailWithPasswordHash' | 'findByIdWithPasswordHash' | 'setPasswordHash'
> {
  readonly lookups: string[] = [];
  private readonly rows = new Map<string, User>();

  async create(email: string, passwordHash: string): Promise<User> {
    if (this.rows.has(email)) throw new AppError('EMAIL_TAKEN', 'An account with this email already exists');
    const now = new Date('2025-01-01T00:00:00Z');
    const user: User = {
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
    };
    this.rows.set(email, user);
    // Returned with its hash on purpose: the service must not rely on the repository to strip it.
    return { ...user };
  }

  async findByEmailWithPasswordHash(email: string): Promise<User | null> {
    this.lookups.push(email);
    const user = this.rows.get(email);
    return user ? { ...user } : null;
  }

  async findByIdWithPasswordHash(id: string): Promise<User | null> {
    const user = [...this.rows.values()].find((row) => row.id === id);
    return user ? { ...user } : null;
  }

  async setPasswordHash(_manager: EntityManager, id: string, passwordHash: string): Promise<void> {
    const user = [...this.rows.values()].find((row) => row.id === id);
    if (user) user.passwordHash = passwordHash;
  }

  storedHashOf(email: string): string | undefined {
    return this.rows.get(email)?.passwordHash;
  }
}

/** A fast, salted stand-in for argon2 that records how it was used. */
class FakePasswordHasher extends PasswordHasher {
  readonly hashed: string[] = [];
  readonly verified: Array<{ hash: string; password: string }> = [];
  readonly dummyVerified: string[] = [];
  private salts = 0;

  override async hash(password: string): Promise<string> {
    this.hashed.push(password);
    this.salts += 1;
    const salt = `salt${this.salts}`;
    return `$fake$${salt}$${digest(salt, password)}`;
  }

  override async verify(hash: string, password: string): Promise<boolean> {
    this.verified.push({ hash, password });
    const [, , salt, expected] = hash.split('$');
    return digest(salt, password) === expected;
  }

  override async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyVerified.push(password);
    return false;
  }

  get calls(): number {
    return this.hashed.length + this.verified.length + this.dummyVerified.length;
  }
}

/** Sessions in memory: each one begun is a pair signed by the real AccessTokenService. */
class FakeSessionsService implements Pick<
  SessionsService,
  'begin' | 'beginWith' | 'endAllWith' | 'tokenPair'
> {
  readonly running = new Map<string, string>();
  readonly ended: Array<{ userId: string; reason: string }> = [];

  constructor(private readonly accessTokens: AccessTokenService) {}

  async begin(user: User): Promise<TokenPairDto> {
    return this.tokenPair(user, await this.beginWith({} as EntityManager, user.id));
  }

  async beginWith(_manager: EntityManager, userId: string): Promise<SessionGrant> {
    const id = randomUUID();
    this.running.set(id, userId);
    const session = { id, userId, authTime: new Date(), expiresAt: new Date(), createdAt: new Date() };
    return {
      session: { ...session, revokedAt: null, revokeReason: null },
      refreshToken: `refresh-${id}`,
      refreshExpiresAt: new Date(Date.now() + 3600_000),
    };
  }

  async endAllWith(_manager: EntityManager, userId: string, reason: SessionEndReason): Promise<number> {
    const ids = [...this.running].filter(([, owner]) => owner === userId).map(([id]) => id);
    for (const id of ids) this.running.delete(id);
    this.ended.push({ userId, reason });
    return ids.length;
  }

  async tokenPair(user: User, grant: SessionGrant): Promise<TokenPairDto> {
    const access = await this.accessTokens.issue(user, {
      sessionId: grant.session.id,
      authTime: grant.session.authTime,
    });
    return {
      ...access,
      refreshToken: grant.refreshToken,
      refreshExpiresIn: 3600,
      user: UserResponseDto.from(user),
    };
  }
}

const inOneTransaction = {
  run: <T>(work: (manager: EntityManager) => Promise<T>): Promise<T> => work({} as EntityManager),
} as TransactionRunner;

function digest(salt: string, password: string): string {
  return createHash('sha256').update(`${salt}:${password}`).digest('base64url');
}

/** Checks a token as any HS256 consumer holding the secret would. */
function verifyHs256(token: string): AccessTokenClaims {
  return jwt.verify(token, SECRET, {
    algorithms: ['HS256'],
    issuer: config.issuer,
    audience: config.audience,
  }) as unknown as AccessTokenClaims;
}

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const REAL_TIMERS: FakeableAPI[] = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
];

describe('AuthService', () => {
  let now: number;
  let users: FakeUsersService;
  let hasher: FakePasswordHasher;
  let sessions: FakeSessionsService;
  let service: AuthService;
  let logged: unknown[];
  let metrics: IdentityMetrics;

  beforeEach(async () => {
    now = Date.UTC(2025, 0, 1, 12, 0, 0);
    // The limits read the time from Date: only Date is faked, every timer runs as usual.
    jest.useFakeTimers({ doNotFake: REAL_TIMERS, now });
    users = new FakeUsersService();
    hasher = new FakePasswordHasher();
    const throttle = new LoginThrottle(new WindowLimits(null), config);
    const keys = await SigningKeys.load(config.signing);
    sessions = new FakeSessionsService(new AccessTokenService(keys, config));
    service = new AuthService(
      users as unknown as UsersService,
      hasher,
      sessions as unknown as SessionsService,
      throttle,
      inOneTransaction,
      (metrics = new IdentityMetrics(verifyConfigWith())),
    );
    logged = [];
    const capture = (message: unknown): void => {
      logged.push(message);
    };
    jest.spyOn(Logger.prototype, 'log').mockImplementation(capture);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(capture);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  const advanceSeconds = (seconds: number): void => {
    now += seconds * 1000;
    jest.setSystemTime(now);
  };

  async function failLogin(email: string, address: string, password = WRONG_PASSWORD): Promise<void> {
    const error = await errorOf(service.login(email, password, address));
    expect(error.code).toBe<ErrorCode>('INVALID_CREDENTIALS');
  }

  describe('register', () => {
    it('stores an argon2 hash of the password, never the password itself', async () => {
      await service.register(EMAIL, PASSWORD);
      expect(hasher.hashed).toEqual([PASSWORD]);
      const stored = users.storedHashOf(EMAIL)!;
      expect(stored).not.toContain(PASSWORD);
      await expect(hasher.verify(stored, PASSWORD)).resolves.toBe(true);
    });

    it('signs the new user in, and the answer carries neither the hash nor the password', async () => {
      const response = await service.register(EMAIL, PASSWORD);

      expect(response).toEqual({
        accessToken: expect.any(String) as string,
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshToken: expect.any(String) as string,
        refreshExpiresIn: 3600,
        user: {
          id: expect.any(String) as string,
          email: EMAIL,
          phoneNumber: null,
          phoneCountryCode: null,
          phoneNationalNumber: null,
          phoneNumberConfirmed: false,
          phoneNumberConfirmedAt: null,
          createdAt: '2025-01-01T00:00:00.000Z',
        },
      });
      expect(verifyHs256(response.accessToken)).toMatchObject({
        sub: response.user.id,
        email: EMAIL,
      });
      const serialized = JSON.stringify(response);
      expect(serialized).not.toContain(users.storedHashOf(EMAIL)!);
      expect(serialized).not.toContain(PASSWORD);
      expect(serialized).not.toMatch(/passwordHash|\$fake\$/);
      expect(Buffer.from(response.accessToken.split('.')[1], 'base64url').toString()).not.toMatch(
        /passwordHash|\$fake\$/,
      );
    });

    it('lets the new user log in with the same password', async () => {
      const registered = await service.register(EMAIL, PASSWORD);
      const login = await service.login(EMAIL, PASSWORD, ADDRESS);
      expect(login.user.id).toBe(registered.user.id);
    });
  });

  describe('login', () => {
    let userId: string;

    beforeEach(async () => {
      userId = (await service.register(EMAIL, PASSWORD)).user.id;
      hasher.hashed.length = 0;
      logged.length = 0;
    });

    it('returns a token for the user and the user, without the hash', async () => {
      const response = await service.login(EMAIL, PASSWORD, ADDRESS);

      expect(response).toMatchObject({
        tokenType: 'Bearer',
        expiresIn: 900,
        user: { id: userId, email: EMAIL },
      });
      expect(verifyHs256(response.accessToken)).toMatchObject({
        sub: userId,
        email: EMAIL,
        phone_number_verified: false,
      });
      expect(hasher.verified).toEqual([{ hash: users.storedHashOf(EMAIL), password: PASSWORD }]);
      expect(hasher.dummyVerified).toEqual([]);
      const serialized = JSON.stringify(response);
      expect(serialized).not.toContain(users.storedHashOf(EMAIL)!);
      expect(serialized).not.toContain(PASSWORD);
      expect(serialized).not.toContain('passwordHash');
    });

    it('answers a wrong password and an unknown email alike', async () => {
      const wrongPassword = await errorOf(service.login(EMAIL, WRONG_PASSWORD, ADDRESS));
      const unknownEmail = await errorOf(service.login('nobody@example.com', PASSWORD, ADDRESS));

      const visible = (error: AppError) => ({
        name: error.name,
        code: error.code,
        message: error.message,
        status: error.status,
        options: error.options,
      });
      expect(visible(wrongPassword)).toEqual({
        name: 'AppError',
        code: 'INVALID_CREDENTIALS',
        message: 'Email or password is incorrect',
        status: 401,
        options: {},
      });
      expect(visible(unknownEmail)).toEqual(visible(wrongPassword));
    });

    it('still runs a password verification for an unknown email (timing parity)', async () => {
      await failLogin('nobody@example.com', ADDRESS, PASSWORD);
      expect(hasher.dummyVerified).toEqual([PASSWORD]);
      expect(hasher.verified).toEqual([]);
    });

    it('verifies a wrong password against the stored hash, not the dummy', async () => {
      await failLogin(EMAIL, ADDRESS);
      expect(hasher.verified).toEqual([{ hash: users.storedHashOf(EMAIL), password: WRONG_PASSWORD }]);
      expect(hasher.dummyVerified).toEqual([]);
    });

    it('logs one event per attempt, with the outcome, and never the password or the hash', async () => {
      await failLogin(EMAIL, ADDRESS);
      await service.login(EMAIL, PASSWORD, ADDRESS);

      expect(logged).toEqual([
        { event: 'login', userId, outcome: 'invalid_credentials' },
        { event: 'login', userId, outcome: 'success' },
      ]);
      const output = JSON.stringify(logged);
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain(WRONG_PASSWORD);
      expect(output).not.toContain(users.storedHashOf(EMAIL)!);
    });
  });

  describe('failed-login limits', () => {
    beforeEach(async () => {
      await service.register(EMAIL, PASSWORD);
      await service.register('bob@example.com', PASSWORD);
    });

    it('still accepts the right password one failure below the limit', async () => {
      for (let i = 0; i < MAX_PER_EMAIL - 1; i += 1) await failLogin(EMAIL, ADDRESS);
      await expect(service.login(EMAIL, PASSWORD, ADDRESS)).resolves.toMatchObject({
        user: { email: EMAIL },
      });
    });

    it('resets the email counter after a successful login', async () => {
      for (let i = 0; i < MAX_PER_EMAIL - 1; i += 1) await failLogin(EMAIL, `192.0.2.${i}`);
      await service.login(EMAIL, PASSWORD, OTHER_ADDRESS);
      // Without the reset these would make 2 * (MAX_PER_EMAIL - 1) >= MAX_PER_EMAIL failures.
      for (let i = 0; i < MAX_PER_EMAIL - 1; i += 1) await failLogin(EMAIL, `192.0.2.${i}`);
      await expect(service.login(EMAIL, PASSWORD, OTHER_ADDRESS)).resolves.toMatchObject({
        user: { email: EMAIL },
      });
    });

    it('after the email limit refuses even the right password with RATE_LIMITED, without hashing', async () => {
      for (let i = 0; i < MAX_PER_EMAIL; i += 1) await failLogin(EMAIL, ADDRESS);
      const hasherCalls = hasher.calls;
      const lookups = users.lookups.length;

      const error = await errorOf(service.login(EMAIL, PASSWORD, ADDRESS));

      expect(error.code).toBe<ErrorCode>('RATE_LIMITED');
      expect(error.status).toBe(429);
      expect(error.options.retryAfterSeconds).toBeGreaterThan(0);
      expect(error.options.retryAfterSeconds).toBeLessThanOrEqual(WINDOW_SECONDS);
      expect(Number.isInteger(error.options.retryAfterSeconds)).toBe(true);
      expect(hasher.calls).toBe(hasherCalls);
      expect(users.lookups).toHaveLength(lookups);
    });

    it('counts failures per email, whichever address they come from', async () => {
      for (let i = 0; i < MAX_PER_EMAIL; i += 1) await failLogin(EMAIL, `192.0.2.${i}`);

      const error = await errorOf(service.login(EMAIL, PASSWORD, OTHER_ADDRESS));
      expect(error.code).toBe<ErrorCode>('RATE_LIMITED');
      // The other account, from the same addresses, is not affected.
      await expect(service.login('bob@example.com', PASSWORD, '192.0.2.0')).resolves.toMatchObject({
        user: { email: 'bob@example.com' },
      });
    });

    it('limits unknown emails the same way, so the limit does not tell which accounts exist', async () => {
      for (let i = 0; i < MAX_PER_EMAIL; i += 1) await failLogin('nobody@example.com', `192.0.2.${i}`);
      const error = await errorOf(service.login('nobody@example.com', PASSWORD, OTHER_ADDRESS));
      expect(error.code).toBe<ErrorCode>('RATE_LIMITED');
    });

    it('counts failures per address across emails, and blocks every email from that address', async () => {
      for (let i = 0; i < MAX_PER_ADDRESS - 1; i += 1) await failLogin(`user${i}@example.com`, ADDRESS);
      // One below the address limit: still allowed, and a success does not clear the address counter.
      await expect(service.login(EMAIL, PASSWORD, ADDRESS)).resolves.toMatchObject({
        user: { email: EMAIL },
      });
      await failLogin('someone-else@example.com', ADDRESS);

      const hasherCalls = hasher.calls;
      const error = await errorOf(service.login('bob@example.com', PASSWORD, ADDRESS));
      expect(error.code).toBe<ErrorCode>('RATE_LIMITED');
      expect(error.options.retryAfterSeconds).toBeGreaterThan(0);
      expect(hasher.calls).toBe(hasherCalls);

      // The same accounts from another address are fine.
      await expect(service.login('bob@example.com', PASSWORD, OTHER_ADDRESS)).resolves.toMatchObject({
        user: { email: 'bob@example.com' },
      });
    });

    it('tells how long to wait, and lets the user in again once the window has passed', async () => {
      for (let i = 0; i < MAX_PER_EMAIL; i += 1) await failLogin(EMAIL, ADDRESS);
      advanceSeconds(600);

      const error = await errorOf(service.login(EMAIL, PASSWORD, ADDRESS));
      expect(error.options.retryAfterSeconds).toBe(WINDOW_SECONDS - 600);

      advanceSeconds(WINDOW_SECONDS - 600);
      await expect(service.login(EMAIL, PASSWORD, ADDRESS)).resolves.toMatchObject({
        user: { email: EMAIL },
      });
    });

    it('does not count refused (rate-limited) attempts as failures', async () => {
      for (let i = 0; i < MAX_PER_EMAIL; i += 1) await failLogin(EMAIL, ADDRESS);
      for (let i = 0; i < 10; i += 1) {
        await expect(service.login(EMAIL, WRONG_PASSWORD, OTHER_ADDRESS)).rejects.toMatchObject({
          code: 'RATE_LIMITED',
        });
      }
      // OTHER_ADDRESS gathered no failures from the refused attempts: bob can still log in from it
      // up to the full address limit.
      for (let i = 0; i < MAX_PER_ADDRESS - 1; i += 1) await failLogin(`user${i}@example.com`, OTHER_ADDRESS);
      await expect(service.login('bob@example.com', PASSWORD, OTHER_ADDRESS)).resolves.toMatchObject({
        user: { email: 'bob@example.com' },
      });
    });

    it('doubles each lockout that follows another without a success, and a success resets the doubling', async () => {
      const lockOut = async () => {
        for (let i = 0; i < MAX_PER_EMAIL; i += 1) await failLogin(EMAIL, ADDRESS);
      };
      const waitOf = async () =>
        (await errorOf(service.login(EMAIL, PASSWORD, ADDRESS))).options.retryAfterSeconds;

      await lockOut();
      expect(await waitOf()).toBe(WINDOW_SECONDS);
      advanceSeconds(WINDOW_SECONDS);
      await lockOut();
      expect(await waitOf()).toBe(2 * WINDOW_SECONDS);
      advanceSeconds(2 * WINDOW_SECONDS);
      await lockOut();
      expect(await waitOf()).toBe(4 * WINDOW_SECONDS);
      advanceSeconds(4 * WINDOW_SECONDS);

      await expect(service.login(EMAIL, PASSWORD, ADDRESS)).resolves.toMatchObject({
        user: { email: EMAIL },
      });
      await lockOut();
      expect(await waitOf()).toBe(WINDOW_SECONDS);
    });

    it('stops an account at 100 wrong passwords in a row, however long the lockouts are waited out', async () => {
      const roomy = { ...config, loginMaxFailuresPerEmail: 40, loginMaxFailuresPerAddress: 1000 };
      const auth = new AuthService(
        users as unknown as UsersService,
        hasher,
        sessions as unknown as SessionsService,
        new LoginThrottle(new WindowLimits(null), roomy),
        inOneTransaction,
        new IdentityMetrics(verifyConfigWith()),
      );
      const waits: number[] = [];
      let failures = 0;
      for (let attempt = 0; attempt < 120; attempt += 1) {
        const error = await errorOf(auth.login(EMAIL, WRONG_PASSWORD, ADDRESS));
        if (error.code === 'INVALID_CREDENTIALS') failures += 1;
        else if (waits.length < 2) {
          waits.push(error.options.retryAfterSeconds!);
          advanceSeconds(error.options.retryAfterSeconds!);
        }
      }
      expect(waits).toEqual([WINDOW_SECONDS, 2 * WINDOW_SECONDS]);
      expect(failures).toBe(100);
      const refused = await errorOf(auth.login(EMAIL, PASSWORD, ADDRESS));
      expect(refused.code).toBe<ErrorCode>('RATE_LIMITED');
      // Refused before the password is checked: the right one is never tried.
      expect(hasher.verified).toHaveLength(100);
    });

    it('counts each login by outcome', async () => {
      await failLogin(EMAIL, ADDRESS);
      await service.login(EMAIL, PASSWORD, ADDRESS);
      for (let i = 0; i < MAX_PER_EMAIL; i += 1) await failLogin(EMAIL, ADDRESS);
      await expect(service.login(EMAIL, PASSWORD, ADDRESS)).rejects.toMatchObject({ code: 'RATE_LIMITED' });

      const counts = await metrics.registry.getSingleMetric('identity_logins_total')!.get();
      expect(Object.fromEntries(counts.values.map(({ labels, value }) => [labels.result, value]))).toEqual({
        invalid_credentials: MAX_PER_EMAIL + 1,
        success: 1,
        rate_limited: 1,
      });
    });

    it('logs a limit hit without the email or the password', async () => {
      for (let i = 0; i < MAX_PER_EMAIL; i += 1) await failLogin(EMAIL, ADDRESS);
      logged.length = 0;
      await expect(service.login(EMAIL, PASSWORD, ADDRESS)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      expect(logged).toEqual([{ event: 'login.limited', retryAfterSeconds: WINDOW_SECONDS }]);
    });
  });

  describe('changePassword', () => {
    let user: User;

    beforeEach(async () => {
      await service.register(EMAIL, PASSWORD);
      user = (await users.findByEmailWithPasswordHash(EMAIL))!;
      delete user.passwordHash;
      await service.login(EMAIL, PASSWORD, ADDRESS);
    });

    it('replaces the hash, ends every session and answers a pair in a new one', async () => {
      const response = await service.changePassword(user, PASSWORD, 'a brand new passphrase', ADDRESS);

      expect(sessions.ended).toEqual([{ userId: user.id, reason: 'password_changed' }]);
      expect([...sessions.running.values()]).toEqual([user.id]);
      const claims = verifyHs256(response.accessToken);
      expect(sessions.running.has(claims.sid)).toBe(true);
      await expect(hasher.verify(users.storedHashOf(EMAIL)!, 'a brand new passphrase')).resolves.toBe(true);
      await expect(service.login(EMAIL, PASSWORD, ADDRESS)).rejects.toMatchObject({
        code: 'INVALID_CREDENTIALS',
      });
    });

    it('counts a wrong current password as a failed login and changes nothing', async () => {
      const before = users.storedHashOf(EMAIL);
      for (let i = 0; i < MAX_PER_EMAIL; i += 1) {
        const error = await errorOf(
          service.changePassword(user, WRONG_PASSWORD, 'a brand new passphrase', ADDRESS),
        );
        expect(error.code).toBe<ErrorCode>('INVALID_CREDENTIALS');
      }
      expect(users.storedHashOf(EMAIL)).toBe(before);
      expect(sessions.ended).toEqual([]);
      // The failures count against the email like failed logins do.
      await expect(service.login(EMAIL, PASSWORD, OTHER_ADDRESS)).rejects.toMatchObject({
        code: 'RATE_LIMITED',
      });
    });
  });
});
