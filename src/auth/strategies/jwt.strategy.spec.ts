import { createSecretKey } from 'node:crypto';
import { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { authConfig } from '../../config/auth.config';
import { User } from '../../users/entities/user.entity';
import { UsersService } from '../../users/users.service';
import { JwtStrategy } from './jwt.strategy';

const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const ISSUER = 'identity-service-test';
const AUDIENCE = 'identity-clients-test';
const USER_ID = '3f2b8c1e-9d4a-4b6f-8e2d-7a1c5b9e0f34';
const UNKNOWN_ID = 'c0ffee00-0000-4000-8000-000000000000';

const config: ConfigType<typeof authConfig> = {
  jwtKey: createSecretKey(Buffer.from(SECRET)),
  expiresInSeconds: 900,
  issuer: ISSUER,
  audience: AUDIENCE,
  loginMaxFailuresPerEmail: 10,
  loginMaxFailuresPerAddress: 50,
  loginFailureWindowSeconds: 900,
};

function userWith(id: string): User {
  return {
    id,
    email: 'ada@example.com',
    phoneE164: null,
    phoneCountryCode: null,
    phoneNationalNumber: null,
    phoneConfirmed: false,
    phoneConfirmedAt: null,
    createdAt: new Date('2025-01-01T00:00:00Z'),
    updatedAt: new Date('2025-01-01T00:00:00Z'),
  };
}

/** The one query the strategy makes, over an in-memory table, recording every lookup. */
class FakeUsersService implements Pick<UsersService, 'findById'> {
  readonly lookups: string[] = [];
  private readonly users = new Map<string, User>();

  add(user: User): void {
    this.users.set(user.id, user);
  }

  async findById(id: string): Promise<User | null> {
    this.lookups.push(id);
    return this.users.get(id) ?? null;
  }
}

/** The fields passport-jwt 4 keeps the options for `jsonwebtoken.verify` in (lib/strategy.js). */
interface PassportJwtInternals {
  _verifOpts: { algorithms?: string[]; issuer?: string; audience?: string; ignoreExpiration?: boolean };
}

/** What passport's actions (`success`, `fail`, `error`) were called with for one request. */
type Outcome =
  { outcome: 'success'; user: unknown } | { outcome: 'fail' } | { outcome: 'error'; error: unknown };

interface PassportActions {
  authenticate(request: { headers: Record<string, string>; url: string }): void;
  success(user: unknown): void;
  fail(info?: unknown): void;
  error(error: unknown): void;
}

/** Runs the strategy as passport does for one request, through jsonwebtoken's checks and `validate`. */
function authenticate(strategy: JwtStrategy, authorization?: string, url = '/users/me'): Promise<Outcome> {
  return new Promise((resolve) => {
    const attempt = Object.create(strategy) as PassportActions;
    attempt.success = (user) => resolve({ outcome: 'success', user });
    attempt.fail = () => resolve({ outcome: 'fail' });
    attempt.error = (error) => resolve({ outcome: 'error', error });
    attempt.authenticate({ headers: authorization ? { authorization } : {}, url });
  });
}

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('JwtStrategy', () => {
  let users: FakeUsersService;
  let strategy: JwtStrategy;
  let jwt: JwtService;
  const now = (): number => Math.floor(Date.now() / 1000);

  beforeEach(() => {
    users = new FakeUsersService();
    users.add(userWith(USER_ID));
    strategy = new JwtStrategy(config, users as unknown as UsersService);
    jwt = new JwtService({
      secret: SECRET,
      signOptions: { algorithm: 'HS256', expiresIn: 900, issuer: ISSUER, audience: AUDIENCE },
    });
  });

  describe('validate', () => {
    const EXP = Math.floor(Date.now() / 1000) + 900;

    it('returns the user for the UUID subject of an existing user', async () => {
      await expect(strategy.validate({ sub: USER_ID, exp: EXP })).resolves.toEqual(userWith(USER_ID));
      expect(users.lookups).toEqual([USER_ID]);
    });

    it('returns false for a UUID that belongs to no user (e.g. a deleted account)', async () => {
      await expect(strategy.validate({ sub: UNKNOWN_ID, exp: EXP })).resolves.toBe(false);
      expect(users.lookups).toEqual([UNKNOWN_ID]);
    });

    it.each<[string, { sub?: unknown; exp?: unknown }]>([
      ['a missing sub', {}],
      ['an undefined sub', { sub: undefined }],
      ['a null sub', { sub: null }],
      ['an empty sub', { sub: '' }],
      ['a numeric sub', { sub: 42 }],
      ['an object sub', { sub: { $ne: null } }],
      ['an array sub', { sub: [USER_ID] }],
      ['a non-UUID string', { sub: 'admin' }],
      ['a UUID with a suffix', { sub: `${USER_ID}' OR '1'='1` }],
      ['a UUID with a prefix', { sub: ` ${USER_ID}` }],
      ['a UUID without dashes', { sub: USER_ID.replace(/-/g, '') }],
      ['a UUID with a trailing line break', { sub: `${USER_ID}\n` }],
      ['no exp', { sub: USER_ID, exp: undefined }],
    ])('returns false for %s, without querying', async (_label, payload) => {
      await expect(strategy.validate({ exp: EXP, ...payload })).resolves.toBe(false);
      expect(users.lookups).toEqual([]);
    });
  });

  describe('passport-jwt options', () => {
    it('allow HS256 only, check issuer, audience and expiry', () => {
      const { _verifOpts } = strategy as unknown as PassportJwtInternals;
      expect(_verifOpts).toMatchObject({
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        ignoreExpiration: false,
      });
    });
  });

  describe('a request through passport', () => {
    it('authenticates a valid bearer token of an existing user', async () => {
      const token = jwt.sign({ sub: USER_ID });
      await expect(authenticate(strategy, `Bearer ${token}`)).resolves.toEqual({
        outcome: 'success',
        user: userWith(USER_ID),
      });
    });

    it('refuses a valid token whose user no longer exists', async () => {
      const token = jwt.sign({ sub: UNKNOWN_ID });
      await expect(authenticate(strategy, `Bearer ${token}`)).resolves.toEqual({ outcome: 'fail' });
    });

    it('refuses a validly signed token with a non-UUID subject, without querying', async () => {
      const token = jwt.sign({ sub: 'admin' });
      await expect(authenticate(strategy, `Bearer ${token}`)).resolves.toEqual({ outcome: 'fail' });
      expect(users.lookups).toEqual([]);
    });

    it.each<[string, () => string]>([
      ['HS384', () => jwt.sign({ sub: USER_ID }, { algorithm: 'HS384' })],
      ['HS512', () => jwt.sign({ sub: USER_ID }, { algorithm: 'HS512' })],
      ['alg "none"', () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(validClaims())}.`],
      ['alg "NONE"', () => `${base64url({ alg: 'NONE', typ: 'JWT' })}.${base64url(validClaims())}.`],
      ['another secret', () => jwt.sign({ sub: USER_ID }, { secret: `${SECRET}-other` })],
      [
        'another secret named by a kid header',
        () =>
          jwt.sign(
            { sub: USER_ID },
            { secret: 'attacker-key', header: { alg: 'HS256', kid: '../../dev/null' } },
          ),
      ],
      ['a wrong issuer', () => jwt.sign({ sub: USER_ID }, { issuer: 'someone-else' })],
      ['a wrong audience', () => jwt.sign({ sub: USER_ID }, { audience: 'another-service' })],
      ['no issuer', () => signed({ sub: USER_ID, aud: AUDIENCE, exp: now() + 60 })],
      ['no audience', () => signed({ sub: USER_ID, iss: ISSUER, exp: now() + 60 })],
      ['an expiry in the past', () => signed({ ...validClaims(), exp: now() - 1 })],
      ['a not-before in the future', () => signed({ ...validClaims(), nbf: now() + 600 })],
      ['a changed subject', () => withPayload(jwt.sign({ sub: UNKNOWN_ID }), { ...validClaims() })],
      ['a flipped signature byte', () => flipSignatureByte(jwt.sign({ sub: USER_ID }))],
      ['no signature', () => jwt.sign({ sub: USER_ID }).split('.').slice(0, 2).join('.') + '.'],
      ['garbage', () => 'not.a.jwt'],
    ])('refuses a token with %s', async (_label, makeToken) => {
      await expect(authenticate(strategy, `Bearer ${makeToken()}`)).resolves.toEqual({ outcome: 'fail' });
      expect(users.lookups).toEqual([]);
    });

    it('refuses a request without a token, or with the token in the URL', async () => {
      const token = jwt.sign({ sub: USER_ID });
      await expect(authenticate(strategy)).resolves.toEqual({ outcome: 'fail' });
      await expect(authenticate(strategy, undefined, `/users/me?access_token=${token}`)).resolves.toEqual({
        outcome: 'fail',
      });
      await expect(authenticate(strategy, token)).resolves.toEqual({ outcome: 'fail' });
      await expect(authenticate(strategy, `Basic ${token}`)).resolves.toEqual({ outcome: 'fail' });
    });

    it('refuses a validly signed token that has no expiry', async () => {
      const token = signed({ sub: USER_ID, iss: ISSUER, aud: AUDIENCE, iat: now() });
      await expect(authenticate(strategy, `Bearer ${token}`)).resolves.toEqual({ outcome: 'fail' });
    });

    function validClaims(): Record<string, unknown> {
      return { sub: USER_ID, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 900 };
    }

    /** Signs exactly these claims, with none of the default options. */
    function signed(claims: Record<string, unknown>): string {
      return new JwtService({ secret: SECRET }).sign(claims);
    }

    /** Replaces the payload of a signed token, keeping its header and signature. */
    function withPayload(token: string, claims: Record<string, unknown>): string {
      const [header, , signature] = token.split('.');
      return `${header}.${base64url(claims)}.${signature}`;
    }

    function flipSignatureByte(token: string): string {
      const [header, payload, signature] = token.split('.');
      const bytes = Buffer.from(signature, 'base64url');
      bytes[0] ^= 0x01;
      return `${header}.${payload}.${bytes.toString('base64url')}`;
    }
  });
});
