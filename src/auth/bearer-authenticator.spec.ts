import { ConfigType } from '@nestjs/config';
import jwt from 'jsonwebtoken';
import { createPublicKey, createSecretKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { Clock } from '../common/clock';
import { RequestWithSession } from '../common/decorators/current-session.decorator';
import { authConfig } from '../config/auth.config';
import { User } from '../users/entities/user.entity';
import { BearerAuthenticator, BearerFailure, bearerTokenOf, isRecent } from './bearer-authenticator';
import { SigningKeys } from './keys/signing-keys';
import { SessionsRepository } from './sessions.repository';

const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const ISSUER = 'identity-service-test';
const AUDIENCE = 'identity-clients-test';
const USER_ID = '3f2b8c1e-9d4a-4b6f-8e2d-7a1c5b9e0f34';
const SESSION_ID = '9a0d3b52-63c4-4c8e-9f0a-2b1d4e6f8a10';
const UNKNOWN_ID = 'c0ffee00-0000-4000-8000-000000000000';
const NOW = new Date();
const REAUTH_MAX_AGE = 300;

function configWith(signing: ConfigType<typeof authConfig>['signing']): ConfigType<typeof authConfig> {
  return {
    signing,
    expiresInSeconds: 900,
    issuer: ISSUER,
    audience: AUDIENCE,
    refreshTokenTtlSeconds: 3600,
    refreshTokenReuseIntervalSeconds: 10,
    reauthMaxAgeSeconds: REAUTH_MAX_AGE,
    publicUrl: 'http://localhost:3000',
    loginMaxFailuresPerEmail: 10,
    loginMaxFailuresPerAddress: 50,
    loginFailureWindowSeconds: 900,
  };
}

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

/** The one query the authenticator makes, over in-memory sessions, recording every lookup. */
class FakeSessions implements Pick<SessionsRepository, 'findUserOfActiveSession'> {
  readonly lookups: Array<[string, string]> = [];
  readonly active = new Map<string, string>([[SESSION_ID, USER_ID]]);

  async findUserOfActiveSession(userId: string, sessionId: string): Promise<User | null> {
    this.lookups.push([userId, sessionId]);
    return this.active.get(sessionId) === userId ? userWith(userId) : null;
  }
}

type Outcome =
  | { outcome: 'success'; user: unknown; session: RequestWithSession['authSession'] }
  | { outcome: 'fail'; info: BearerFailure }
  | { outcome: 'error'; error: unknown };

/** Authenticates one request, and tells what a guard would see: a user and session, a refusal, or an error. */
async function authenticate(
  authenticator: BearerAuthenticator,
  authorization?: string,
  url = '/users/me',
): Promise<Outcome> {
  const request = { headers: authorization ? { authorization } : {}, url } as unknown as RequestWithSession;
  try {
    const result = await authenticator.authenticate(request);
    if ('failure' in result) return { outcome: 'fail', info: result.failure };
    return { outcome: 'success', user: result.user, session: request.authSession };
  } catch (error) {
    return { outcome: 'error', error };
  }
}

const base64url = (value: object | Buffer): string =>
  (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');
const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: USER_ID,
    sid: SESSION_ID,
    auth_time: seconds(NOW) - 60,
    iss: ISSUER,
    aud: AUDIENCE,
    iat: seconds(NOW),
    exp: seconds(NOW) + 900,
    ...overrides,
  };
}

function flipSignatureByte(token: string): string {
  const [header, payload, signature] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] ^= 0x01;
  return `${header}.${payload}.${base64url(bytes)}`;
}

const fixedClock = { now: () => NOW } as Clock;

describe('BearerAuthenticator with ES256', () => {
  const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const publicPem = createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
  let keys: SigningKeys;
  let sessions: FakeSessions;
  let authenticator: BearerAuthenticator;

  beforeAll(async () => {
    keys = await SigningKeys.load({ algorithm: 'ES256', privateKey, retiredPublicKeys: [] });
  });

  beforeEach(() => {
    sessions = new FakeSessions();
    const config = configWith({ algorithm: 'ES256', privateKey, retiredPublicKeys: [] });
    authenticator = new BearerAuthenticator(
      keys,
      sessions as unknown as SessionsRepository,
      fixedClock,
      config,
    );
  });

  const sign = (
    payload: Record<string, unknown>,
    header: Record<string, unknown> = {},
    key: KeyObject = privateKey,
  ) => new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: keys.kid, ...header }).sign(key);

  it('authenticates a token of a running session, and tells the session and its auth_time', async () => {
    const outcome = await authenticate(authenticator, `Bearer ${await sign(claims())}`);

    expect(outcome).toEqual({
      outcome: 'success',
      user: userWith(USER_ID),
      session: {
        sessionId: SESSION_ID,
        authTime: new Date((seconds(NOW) - 60) * 1000),
        recentlyAuthenticated: true,
      },
    });
    expect(sessions.lookups).toEqual([[USER_ID, SESSION_ID]]);
  });

  it('accepts the scheme in any case, as RFC 9110 wants', async () => {
    await expect(authenticate(authenticator, `bearer ${await sign(claims())}`)).resolves.toMatchObject({
      outcome: 'success',
    });
  });

  it('tells a password given longer ago than REAUTH_MAX_AGE_SECONDS', async () => {
    const token = await sign(claims({ auth_time: seconds(NOW) - REAUTH_MAX_AGE - 1 }));
    await expect(authenticate(authenticator, `Bearer ${token}`)).resolves.toMatchObject({
      session: { recentlyAuthenticated: false },
    });
  });

  it('refuses a token whose session has ended or whose user is gone', async () => {
    sessions.active.delete(SESSION_ID);
    await expect(authenticate(authenticator, `Bearer ${await sign(claims())}`)).resolves.toEqual({
      outcome: 'fail',
      info: { reason: 'invalid' },
    });
  });

  it('says "expired" only for a well-signed token past its exp', async () => {
    const expired = await sign(claims({ iat: seconds(NOW) - 1000, exp: seconds(NOW) - 100 }));
    await expect(authenticate(authenticator, `Bearer ${expired}`)).resolves.toEqual({
      outcome: 'fail',
      info: { reason: 'expired' },
    });
    const forged = await sign(
      claims({ exp: seconds(NOW) - 100 }),
      {},
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    );
    await expect(authenticate(authenticator, `Bearer ${forged}`)).resolves.toEqual({
      outcome: 'fail',
      info: { reason: 'invalid' },
    });
  });

  it('says "missing" without a header, and "invalid" for a header that is not a bearer token', async () => {
    await expect(authenticate(authenticator)).resolves.toEqual({
      outcome: 'fail',
      info: { reason: 'missing' },
    });
    const token = await sign(claims());
    for (const header of [token, `Basic ${token}`, 'Bearer ', `Bearer ${token} extra`]) {
      await expect(authenticate(authenticator, header)).resolves.toEqual({
        outcome: 'fail',
        info: { reason: 'invalid' },
      });
    }
    await expect(authenticate(authenticator, undefined, `/users/me?access_token=${token}`)).resolves.toEqual({
      outcome: 'fail',
      info: { reason: 'missing' },
    });
  });

  it('lets a database failure through as an error, not a refusal', async () => {
    const failure = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    sessions.findUserOfActiveSession = () => Promise.reject(failure);
    await expect(authenticate(authenticator, `Bearer ${await sign(claims())}`)).resolves.toEqual({
      outcome: 'error',
      error: failure,
    });
  });

  describe('refuses, without querying the database, a token', () => {
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const unsigned = (alg: string) => `${base64url({ alg, typ: 'JWT' })}.${base64url(claims())}.`;

    it.each<[string, () => Promise<string> | string]>([
      ['with alg "none"', () => unsigned('none')],
      ['with alg "NONE"', () => unsigned('NONE')],
      [
        'signed HS256 with the public key as the secret (algorithm confusion)',
        () => jwt.sign(claims(), publicPem, { algorithm: 'HS256', header: { alg: 'HS256', kid: keys.kid } }),
      ],
      ['signed HS256 with the server secret', () => jwt.sign(claims(), SECRET, { algorithm: 'HS256' })],
      ['signed by another key under our kid', () => sign(claims(), {}, attacker)],
      ['naming an unknown kid', () => sign(claims(), { kid: 'c29tZS1vdGhlci1rZXk' })],
      ['naming no kid', () => new SignJWT(claims()).setProtectedHeader({ alg: 'ES256' }).sign(privateKey)],
      [
        'carrying its own key in a jwk header',
        async () => {
          const { exportJWK } = await import('jose');
          const jwk = await exportJWK(createPublicKey(attacker));
          return sign(claims(), { jwk }, attacker);
        },
      ],
      ['pointing to a key by jku', () => sign(claims(), { jku: 'https://attacker.example/jwks.json' })],
      ['with a flipped signature byte', async () => flipSignatureByte(await sign(claims()))],
      ['with a wrong issuer', () => sign(claims({ iss: 'someone-else' }))],
      ['with a wrong audience', () => sign(claims({ aud: 'another-service' }))],
      ['without exp', () => sign(claims({ exp: undefined }))],
      ['with a not-before in the future', () => sign(claims({ nbf: seconds(NOW) + 600 }))],
      ['without sid', () => sign(claims({ sid: undefined }))],
      ['with a sid that is not a UUID', () => sign(claims({ sid: "x' OR '1'='1" }))],
      ['without auth_time', () => sign(claims({ auth_time: undefined }))],
      ['with a string auth_time', () => sign(claims({ auth_time: 'yesterday' }))],
      ['with a sub that is not a UUID', () => sign(claims({ sub: 'admin' }))],
      ['with an object sub', () => sign(claims({ sub: { $ne: null } }))],
      ['that is garbage', () => 'not.a.jwt'],
    ])('%s', async (_label, makeToken) => {
      await expect(authenticate(authenticator, `Bearer ${await makeToken()}`)).resolves.toEqual({
        outcome: 'fail',
        info: { reason: 'invalid' },
      });
      expect(sessions.lookups).toEqual([]);
    });
  });

  it('refuses a token of another user in an existing session', async () => {
    const token = await sign(claims({ sub: UNKNOWN_ID }));
    await expect(authenticate(authenticator, `Bearer ${token}`)).resolves.toMatchObject({ outcome: 'fail' });
    expect(sessions.lookups).toEqual([[UNKNOWN_ID, SESSION_ID]]);
  });
});

describe('BearerAuthenticator with HS256', () => {
  it('accepts an HS256 token of the secret and refuses HS384 and ES256 ones', async () => {
    const secret = createSecretKey(Buffer.from(SECRET));
    const keys = await SigningKeys.load({ algorithm: 'HS256', secret });
    const authenticator = new BearerAuthenticator(
      keys,
      new FakeSessions() as unknown as SessionsRepository,
      fixedClock,
      configWith({ algorithm: 'HS256', secret }),
    );
    const es256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

    await expect(
      authenticate(authenticator, `Bearer ${jwt.sign(claims(), SECRET, { algorithm: 'HS256' })}`),
    ).resolves.toMatchObject({ outcome: 'success' });
    await expect(
      authenticate(authenticator, `Bearer ${jwt.sign(claims(), SECRET, { algorithm: 'HS384' })}`),
    ).resolves.toMatchObject({ outcome: 'fail' });
    const asymmetric = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256' }).sign(es256);
    await expect(authenticate(authenticator, `Bearer ${asymmetric}`)).resolves.toMatchObject({
      outcome: 'fail',
    });
  });
});

describe('isRecent', () => {
  it.each([
    [0, true],
    [300, true],
    [301, false],
    [-5, true],
  ])('a password given %i s ago is recent within 300 s: %s', (ago, expected) => {
    expect(isRecent(new Date(NOW.getTime() - ago * 1000), NOW, 300)).toBe(expected);
  });
});

describe('bearerTokenOf', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer   abc.def-_~+/ghi==  ', 'abc.def-_~+/ghi=='],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearer', undefined],
    ['Bearer two words', undefined],
    [undefined, undefined],
  ])('%j: %j', (header, token) => {
    expect(bearerTokenOf(header)).toBe(token);
  });
});
