import jwt from 'jsonwebtoken';
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { exportJWK } from 'jose';
import {
  claimsOf,
  createTestApp,
  DATABASE_LABEL,
  registerUser,
  RegisteredUser,
  signES256,
  signToken,
  TEST_AUDIENCE,
  TEST_ISSUER,
  TEST_PRIVATE_KEY,
  testKeyId,
  TestApp,
} from './utils/test-app';

function base64url(value: object | Buffer): string {
  return (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');
}

function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function flipSignatureByte(token: string): string {
  const [header, payload, signature] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] ^= 0x01;
  return `${header}.${payload}.${base64url(bytes)}`;
}

const now = () => Math.floor(Date.now() / 1000);
const INVALID_TOKEN = /^Bearer error="invalid_token", error_description="[^"]+"$/;

function expectUnauthorized(response: { status: number; body: unknown; headers: Record<string, string> }) {
  expect(response.status).toBe(401);
  expect(response.body).toEqual({
    statusCode: 401,
    error: 'Unauthorized',
    code: 'UNAUTHORIZED',
    message: expect.any(String),
  });
}

describe(`access tokens, ES256 by default (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;
  let ada: RegisteredUser;
  let bob: RegisteredUser;

  beforeAll(async () => {
    testApp = await createTestApp();
    ada = await registerUser(testApp);
    bob = await registerUser(testApp);
  });

  afterAll(async () => {
    await testApp.close();
  });

  const me = (authorization?: string) => {
    const call = testApp.http().get('/users/me');
    return authorization === undefined ? call : call.set('Authorization', authorization);
  };

  it('GET /users/me answers the user of a valid token', async () => {
    const response = await me(`Bearer ${ada.accessToken}`);

    expect(response.status).toBe(200);
    expect(response.body).toEqual(ada.user);
  });

  it('is signed ES256 under the key thumbprint, carries the standard claims and lives 900 seconds', async () => {
    const [header] = ada.accessToken.split('.');
    const payload = claimsOf(ada.accessToken);

    expect(decodePart(header)).toEqual({ alg: 'ES256', typ: 'JWT', kid: await testKeyId() });
    expect(payload).toEqual({
      sub: ada.user.id,
      email: ada.email,
      phone_number_verified: false,
      sid: ada.sessionId,
      auth_time: expect.any(Number),
      iss: TEST_ISSUER,
      aud: TEST_AUDIENCE,
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    const { iat, exp, auth_time: authTime } = payload as { iat: number; exp: number; auth_time: number };
    expect(exp - iat).toBe(900);
    expect(Math.abs(iat - now())).toBeLessThan(60);
    expect(authTime).toBeLessThanOrEqual(iat);
  });

  it('accepts a token signed by the test helper, so the refusals below are about what they change', async () => {
    const response = await me(`Bearer ${await signES256({ sub: ada.user.id, sid: ada.sessionId })}`);

    expect(response.status).toBe(200);
  });

  it('answers a request without a token with a plain Bearer challenge', async () => {
    const response = await me();

    expectUnauthorized(response);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('says that an expired token expired, in the challenge and the message', async () => {
    const token = await signES256({
      sub: ada.user.id,
      sid: ada.sessionId,
      iat: now() - 1000,
      exp: now() - 60,
    });
    const response = await me(`Bearer ${token}`);

    expectUnauthorized(response);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="The access token expired"',
    );
    expect(response.body.message).toMatch(/expired/);
  });

  describe('answers 401 UNAUTHORIZED with error="invalid_token"', () => {
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const attackerPem = attacker.export({ format: 'pem', type: 'pkcs8' }).toString();
    const publicPem = createPublicKey(TEST_PRIVATE_KEY).export({ format: 'pem', type: 'spki' }).toString();
    const valid = () => ({ sub: ada.user.id, sid: ada.sessionId });
    const unsigned = (alg: string) =>
      `${base64url({ alg, typ: 'JWT' })}.${base64url({
        ...valid(),
        email: ada.email,
        auth_time: now(),
        iss: TEST_ISSUER,
        aud: TEST_AUDIENCE,
        iat: now(),
        exp: now() + 900,
      })}.`;
    const changeSub = (token: string) => {
      const [header, payload, signature] = token.split('.');
      return `${header}.${base64url({ ...decodePart(payload), sub: bob.user.id })}.${signature}`;
    };
    const hs256 = (payload: Record<string, unknown>, secret: string, header: Record<string, unknown> = {}) =>
      jwt.sign({ auth_time: now(), ...payload }, secret, {
        algorithm: 'HS256',
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
        expiresIn: 900,
        header: { alg: 'HS256', ...header },
      });

    const cases: Array<[string, () => Promise<string> | string]> = [
      ['for a malformed header', () => `Token ${ada.accessToken}`],
      ['for a Bearer header without a token', () => 'Bearer '],
      ['for Bearer with garbage', () => 'Bearer not.a.jwt'],
      ['for a token with a flipped signature byte', () => `Bearer ${flipSignatureByte(ada.accessToken)}`],
      ['for a changed sub with the old signature', () => `Bearer ${changeSub(ada.accessToken)}`],
      ['for alg none', () => `Bearer ${unsigned('none')}`],
      ['for alg None', () => `Bearer ${unsigned('None')}`],
      ['for alg NONE', () => `Bearer ${unsigned('NONE')}`],
      [
        'for HS256 signed with the public key (algorithm confusion)',
        () => `Bearer ${hs256(valid(), publicPem, { kid: claimsOfHeader(ada.accessToken).kid })}`,
      ],
      [
        'for HS256 signed with JWT_SECRET',
        () => `Bearer ${hs256(valid(), 'e2e-test-secret-0123456789abcdefghijklmn')}`,
      ],
      [
        'for a token of another key under our kid',
        async () => `Bearer ${await signES256(valid(), { kid: await testKeyId() }, attackerPem)}`,
      ],
      ['for an unknown kid', async () => `Bearer ${await signES256(valid(), { kid: 'unknown-key' })}`],
      [
        'for a token carrying its own key (jwk header)',
        async () =>
          `Bearer ${await signES256(valid(), { jwk: await exportJWK(createPublicKey(attacker)) }, attackerPem)}`,
      ],
      [
        'for a jwk header even with our own signature',
        async () =>
          `Bearer ${await signES256(valid(), { jwk: await exportJWK(createPublicKey(TEST_PRIVATE_KEY)) })}`,
      ],
      [
        'for a jku header',
        async () => `Bearer ${await signES256(valid(), { jku: 'http://127.0.0.1:1/jwks.json' })}`,
      ],
      ['for a wrong issuer', async () => `Bearer ${await signES256({ ...valid(), iss: 'someone-else' })}`],
      ['for a wrong audience', async () => `Bearer ${await signES256({ ...valid(), aud: 'someone-else' })}`],
      [
        'for a sub that is not a UUID',
        async () => `Bearer ${await signES256({ ...valid(), sub: "1' OR '1'='1" })}`,
      ],
      [
        'for a user that does not exist',
        async () => `Bearer ${await signES256({ ...valid(), sub: randomUUID() })}`,
      ],
      ['for a token without sub', async () => `Bearer ${await signES256({ sid: ada.sessionId })}`],
      ['for a token without sid', async () => `Bearer ${await signES256({ sub: ada.user.id })}`],
      ['for a sid of no session', async () => `Bearer ${await signES256({ ...valid(), sid: randomUUID() })}`],
      [
        "for another user's session",
        async () => `Bearer ${await signES256({ ...valid(), sid: bob.sessionId })}`,
      ],
      [
        'for a token without auth_time',
        async () => `Bearer ${await signES256({ ...valid(), auth_time: undefined })}`,
      ],
    ];

    it.each(cases)('%s', async (_case, authorization) => {
      const response = await me(await authorization());

      expectUnauthorized(response);
      expect(response.headers['www-authenticate']).toMatch(INVALID_TOKEN);
      expect(response.headers['www-authenticate']).not.toMatch(/expired/);
    });
  });
});

function claimsOfHeader(token: string): { kid?: string } {
  return decodePart(token.split('.')[0]) as { kid?: string };
}

describe(`access tokens with JWT_ALGORITHM=HS256 (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;
  let ada: RegisteredUser;

  beforeAll(async () => {
    testApp = await createTestApp({ env: { JWT_ALGORITHM: 'HS256' } });
    ada = await registerUser(testApp);
  });

  afterAll(async () => {
    await testApp.close();
  });

  const me = (token: string) => testApp.http().get('/users/me').set('Authorization', `Bearer ${token}`);

  it('signs HS256 without a kid and publishes no key', async () => {
    expect(decodePart(ada.accessToken.split('.')[0])).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect((await me(ada.accessToken)).status).toBe(200);
    const jwks = await testApp.http().get('/.well-known/jwks.json');
    expect(jwks.body).toEqual({ keys: [] });
  });

  it('accepts a token of the secret and refuses HS384, HS512, ES256 and other secrets', async () => {
    const valid = { sub: ada.user.id, sid: ada.sessionId };

    expect((await me(signToken(valid))).status).toBe(200);
    for (const token of [
      signToken(valid, { algorithm: 'HS384' }),
      signToken(valid, { algorithm: 'HS512' }),
      signToken(valid, { secret: 'another-secret-of-forty-characters-long!' }),
      signToken({ ...valid, exp: now() - 60 }),
      signToken({ sub: ada.user.id }),
      await signES256(valid),
    ]) {
      const response = await me(token);
      expectUnauthorized(response);
      expect(response.headers['www-authenticate']).toMatch(INVALID_TOKEN);
    }
  });
});
