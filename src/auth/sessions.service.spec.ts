import { Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createSecretKey } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { authConfig } from '../config/auth.config';
import { buildDataSourceOptions } from '../database/data-source-options';
import { TransactionRunner } from '../database/transaction-runner';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AccessTokenClaims, AccessTokenService } from './access-token.service';
import { TokenPairDto } from './dto/token-pair.dto';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session } from './entities/session.entity';
import { SigningKeys } from './keys/signing-keys';
import { hashRefreshToken } from './refresh-token';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

const TTL = 3600;
const REUSE_INTERVAL = 10;
const T0 = new Date('2026-01-01T12:00:00.000Z');

const config: ConfigType<typeof authConfig> = {
  signing: {
    algorithm: 'HS256',
    secret: createSecretKey(Buffer.from('sessions-spec-secret-0123456789abcdef')),
  },
  expiresInSeconds: 900,
  issuer: 'identity-service',
  audience: 'identity-service',
  refreshTokenTtlSeconds: TTL,
  refreshTokenReuseIntervalSeconds: REUSE_INTERVAL,
  reauthMaxAgeSeconds: 300,
  publicUrl: 'http://localhost:3000',
  loginMaxFailuresPerEmail: 10,
  loginMaxFailuresPerAddress: 50,
  loginFailureWindowSeconds: 900,
};

class FakeClock extends Clock {
  current = T0.getTime();
  override now(): Date {
    return new Date(this.current);
  }
  advance(seconds: number): void {
    this.current += seconds * 1000;
  }
}

function claimsOf(pair: TokenPairDto): AccessTokenClaims {
  return JSON.parse(Buffer.from(pair.accessToken.split('.')[1], 'base64url').toString()) as AccessTokenClaims;
}

async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => new Error('expected a refusal'),
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('SessionsService (SQLite in memory)', () => {
  let dataSource: DataSource;
  let clock: FakeClock;
  let users: UsersService;
  let repository: SessionsRepository;
  let service: SessionsService;
  let user: User;
  let warnings: unknown[];

  beforeEach(async () => {
    dataSource = new DataSource(buildDataSourceOptions({ type: 'sqlite', file: ':memory:' }));
    await dataSource.initialize();
    await dataSource.runMigrations();
    clock = new FakeClock();
    const transactions = new TransactionRunner(dataSource);
    users = new UsersService(dataSource.getRepository(User), transactions, clock);
    repository = new SessionsRepository(dataSource);
    const accessTokens = new AccessTokenService(await SigningKeys.load(config.signing), config);
    service = new SessionsService(repository, users, accessTokens, transactions, clock, config);
    user = await users.create('ada@example.com', 'hash');
    warnings = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(message);
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await dataSource.destroy();
  });

  const isRunning = async (sessionId: string) =>
    (await repository.findUserOfActiveSession(user.id, sessionId, clock.now())) !== null;

  it('begins a session whose tokens carry its id and the time of the password', async () => {
    const pair = await service.begin(user);
    const claims = claimsOf(pair);

    expect(claims).toMatchObject({ sub: user.id, auth_time: T0.getTime() / 1000 });
    expect(pair).toMatchObject({ refreshExpiresIn: TTL, expiresIn: 900, tokenType: 'Bearer' });
    expect(await isRunning(claims.sid)).toBe(true);
  });

  it('stores the refresh token only as its hash', async () => {
    const pair = await service.begin(user);
    const rows = await dataSource.getRepository(RefreshToken).find();

    expect(rows.map((row) => row.tokenHash)).toEqual([hashRefreshToken(pair.refreshToken)]);
    expect(JSON.stringify(await dataSource.query('SELECT * FROM refresh_tokens'))).not.toContain(
      pair.refreshToken,
    );
  });

  describe('refresh', () => {
    it('rotates: a new refresh token, the same session, the same auth_time, fresh claims', async () => {
      const first = await service.begin(user);
      await dataSource
        .getRepository(User)
        .update(user.id, { phoneE164: '+447123456789', phoneConfirmed: true });
      clock.advance(600);

      const second = await service.refresh(first.refreshToken);

      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(claimsOf(second)).toMatchObject({
        sid: claimsOf(first).sid,
        auth_time: claimsOf(first).auth_time,
        phone_number: '+447123456789',
        phone_number_verified: true,
        iat: T0.getTime() / 1000 + 600,
      });
      expect(second.user.phoneNumberConfirmed).toBe(true);
      // The session now lasts as long as its newest refresh token.
      const session = await dataSource.getRepository(Session).findOneByOrFail({ id: claimsOf(first).sid });
      expect(session.expiresAt).toEqual(new Date(T0.getTime() + (600 + TTL) * 1000));
    });

    it('serves a token presented again within the reuse interval (two tabs), keeping the session', async () => {
      const first = await service.begin(user);
      const tabA = await service.refresh(first.refreshToken);
      clock.advance(REUSE_INTERVAL);
      const tabB = await service.refresh(first.refreshToken);

      expect(claimsOf(tabB).sid).toBe(claimsOf(tabA).sid);
      expect(tabB.refreshToken).not.toBe(tabA.refreshToken);
      await expect(service.refresh(tabA.refreshToken)).resolves.toBeDefined();
      await expect(service.refresh(tabB.refreshToken)).resolves.toBeDefined();
      expect(warnings).toEqual([]);
    });

    it('revokes the whole session when a spent token comes back after the interval, and logs it', async () => {
      const first = await service.begin(user);
      const legitimate = await service.refresh(first.refreshToken);
      clock.advance(REUSE_INTERVAL + 1);

      expect((await refusalOf(service.refresh(first.refreshToken))).code).toBe('INVALID_REFRESH_TOKEN');

      // Every token of the family is dead now, including the one the legitimate client holds.
      expect((await refusalOf(service.refresh(legitimate.refreshToken))).code).toBe('INVALID_REFRESH_TOKEN');
      expect(await isRunning(claimsOf(first).sid)).toBe(false);
      expect(warnings).toEqual([
        {
          event: 'session.refresh_token_reused',
          userId: user.id,
          sessionId: claimsOf(first).sid,
          outcome: 'session_revoked',
        },
      ]);
      expect(JSON.stringify(warnings)).not.toContain(first.refreshToken);
    });

    it('leaves the other sessions of the user alone when one is revoked for reuse', async () => {
      const stolen = await service.begin(user);
      const other = await service.begin(user);
      await service.refresh(stolen.refreshToken);
      clock.advance(REUSE_INTERVAL + 1);
      await refusalOf(service.refresh(stolen.refreshToken));

      await expect(service.refresh(other.refreshToken)).resolves.toBeDefined();
    });

    it('refuses an unknown or an expired token', async () => {
      const pair = await service.begin(user);
      expect((await refusalOf(service.refresh('unknown'))).code).toBe('INVALID_REFRESH_TOKEN');
      clock.advance(TTL);
      expect((await refusalOf(service.refresh(pair.refreshToken))).code).toBe('INVALID_REFRESH_TOKEN');
      expect(await isRunning(claimsOf(pair).sid)).toBe(false);
    });

    it('serves many refreshes of one token at the same moment, all in the same session', async () => {
      const pair = await service.begin(user);
      const results = await Promise.all(Array.from({ length: 5 }, () => service.refresh(pair.refreshToken)));

      expect(new Set(results.map((result) => claimsOf(result).sid))).toEqual(new Set([claimsOf(pair).sid]));
      expect(new Set(results.map((result) => result.refreshToken)).size).toBe(5);
      const spent = await dataSource.getRepository(RefreshToken).findOneByOrFail({
        tokenHash: hashRefreshToken(pair.refreshToken),
      });
      expect(spent.spentAt).toEqual(T0);
    });
  });

  describe('end', () => {
    it('ends one session, its refresh tokens with it, and leaves the others running', async () => {
      const first = await service.begin(user);
      const second = await service.begin(user);

      await service.end(user.id, claimsOf(first).sid, false);

      expect(await isRunning(claimsOf(first).sid)).toBe(false);
      expect(await isRunning(claimsOf(second).sid)).toBe(true);
      expect((await refusalOf(service.refresh(first.refreshToken))).code).toBe('INVALID_REFRESH_TOKEN');
      await expect(service.refresh(second.refreshToken)).resolves.toBeDefined();
    });

    it("ends every session of the user with allSessions, and no one else's", async () => {
      const bob = await users.create('bob@example.com', 'hash');
      const first = await service.begin(user);
      const second = await service.begin(user);
      const bobs = await service.begin(bob);

      await service.end(user.id, claimsOf(first).sid, true);

      expect(await isRunning(claimsOf(second).sid)).toBe(false);
      await expect(service.refresh(bobs.refreshToken)).resolves.toBeDefined();
    });
  });

  it('deletes the sessions of the user that have run out when a new one begins, with their refresh tokens', async () => {
    const bob = await users.create('bob@example.com', 'hash');
    const expired = await service.begin(user);
    const running = await service.begin(user);
    const bobs = await service.begin(bob);
    clock.advance(TTL - 60);
    await service.refresh(running.refreshToken);
    clock.advance(60);

    const fresh = await service.begin(user);

    const sessions = await dataSource.getRepository(Session).find();
    expect(sessions.map((session) => session.id).sort()).toEqual(
      [claimsOf(running).sid, claimsOf(fresh).sid, claimsOf(bobs).sid].sort(),
    );
    expect(sessions.map((session) => session.id)).not.toContain(claimsOf(expired).sid);
    const tokens = await dataSource.getRepository(RefreshToken).find();
    expect(tokens.some((token) => token.tokenHash === hashRefreshToken(expired.refreshToken))).toBe(false);
  });
});
