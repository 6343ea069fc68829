import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import {
  createTestApp,
  DATABASE_LABEL,
  registerUser,
  RegisteredUser,
  signToken,
  TEST_AUDIENCE,
  TEST_ISSUER,
  TestApp,
} from './utils/test-app';

function base64url(value: object | Buffer): string {
  return (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');
}

function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe(`access tokens (${DATABASE_LABEL})`, () => {
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

  it('carries the standard claims and lives 900 seconds', () => {
    const { header, payload } = jwt.decode(ada.accessToken, { complete: true }) as jwt.Jwt;

    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({
      sub: ada.user.id,
      email: ada.email,
      phone_number_verified: false,
      iss: TEST_ISSUER,
      aud: TEST_AUDIENCE,
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    const { iat, exp } = payload as jwt.JwtPayload;
    expect(exp! - iat!).toBe(900);
    expect(Math.abs(iat! - Date.now() / 1000)).toBeLessThan(60);
  });

  it('accepts a token signed by the test helper, so the refusals below are about what they change', async () => {
    const response = await me(`Bearer ${signToken({ sub: ada.user.id, email: ada.email })}`);

    expect(response.status).toBe(200);
  });

  describe('answers 401 UNAUTHORIZED', () => {
    const unsigned = (alg: string) =>
      `${base64url({ alg, typ: 'JWT' })}.${base64url({
        sub: ada.user.id,
        email: ada.email,
        iss: TEST_ISSUER,
        aud: TEST_AUDIENCE,
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 900,
      })}.`;

    const flipSignatureByte = (token: string) => {
      const [header, payload, signature] = token.split('.');
      const bytes = Buffer.from(signature, 'base64url');
      bytes[0] ^= 0x01;
      return `${header}.${payload}.${base64url(bytes)}`;
    };

    const changeSub = (token: string) => {
      const [header, payload, signature] = token.split('.');
      return `${header}.${base64url({ ...decodePart(payload), sub: bob.user.id })}.${signature}`;
    };

    const cases: Array<[string, () => string | undefined]> = [
      ['without an Authorization header', () => undefined],
      ['for a malformed header', () => `Token ${ada.accessToken}`],
      ['for a Bearer header without a token', () => 'Bearer '],
      ['for Bearer with garbage', () => 'Bearer not.a.jwt'],
      ['for a token with a flipped signature byte', () => `Bearer ${flipSignatureByte(ada.accessToken)}`],
      ['for a changed sub with the old signature', () => `Bearer ${changeSub(ada.accessToken)}`],
      ['for alg none', () => `Bearer ${unsigned('none')}`],
      ['for alg None', () => `Bearer ${unsigned('None')}`],
      ['for alg NONE', () => `Bearer ${unsigned('NONE')}`],
      [
        'for an HS384 token with the right secret',
        () => `Bearer ${signToken({ sub: ada.user.id }, { algorithm: 'HS384' })}`,
      ],
      [
        'for an HS512 token with the right secret',
        () => `Bearer ${signToken({ sub: ada.user.id }, { algorithm: 'HS512' })}`,
      ],
      [
        'for a token signed with another secret',
        () =>
          `Bearer ${signToken({ sub: ada.user.id }, { secret: 'another-secret-of-forty-characters-long!' })}`,
      ],
      [
        'for an expired token',
        () => `Bearer ${signToken({ sub: ada.user.id, exp: Math.floor(Date.now() / 1000) - 60 })}`,
      ],
      ['for a wrong issuer', () => `Bearer ${signToken({ sub: ada.user.id }, { issuer: 'someone-else' })}`],
      [
        'for a wrong audience',
        () => `Bearer ${signToken({ sub: ada.user.id }, { audience: 'someone-else' })}`,
      ],
      ['for a sub that is not a UUID', () => `Bearer ${signToken({ sub: "1' OR '1'='1" })}`],
      ['for a user that does not exist', () => `Bearer ${signToken({ sub: randomUUID() })}`],
      ['for a token without sub', () => `Bearer ${signToken({ email: ada.email })}`],
    ];

    it.each(cases)('%s', async (_case, authorization) => {
      const response = await me(authorization());

      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'UNAUTHORIZED',
        message: expect.any(String),
      });
    });
  });
});
