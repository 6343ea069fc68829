import { once } from 'node:events';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { calculateJwkThumbprint } from 'jose';
import { runVerifyExample } from './utils/example-runner';
import {
  claimsOf,
  createTestApp,
  DATABASE_LABEL,
  E2E_DATABASE_URL,
  registerUser,
  removeSqliteFile,
  TEST_ISSUER,
  TEST_PRIVATE_KEY,
  tempSqliteFile,
  testKeyId,
  TestApp,
} from './utils/test-app';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const pkcs8 = (algorithm: 'ec' | 'ed25519') =>
  (algorithm === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    : generateKeyPairSync('ed25519').privateKey
  )
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
const spkiOf = (pem: string) => createPublicKey(pem).export({ format: 'pem', type: 'spki' }).toString();
const headerOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { alg: string; kid?: string };

/** An app listening on a real port, with PUBLIC_URL pointing at it. */
async function listeningApp(
  env: Record<string, string>,
  sqliteFile?: string,
): Promise<{ app: TestApp; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const app = await createTestApp({ env: { PUBLIC_URL: url, ...env }, sqliteFile });
  await app.app.listen(port, '127.0.0.1');
  return { app, url };
}

describe(`JWKS and discovery (${DATABASE_LABEL})`, () => {
  let service: TestApp;
  let url: string;

  beforeAll(async () => {
    ({ app: service, url } = await listeningApp({}));
  });

  afterAll(async () => {
    await service.close();
  });

  it('publishes the public half of the signing key, cacheable for 5 minutes, never a private member', async () => {
    const response = await service.http().get('/.well-known/jwks.json');

    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    expect(response.body).toEqual({
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          x: expect.stringMatching(/^[\w-]{43}$/),
          y: expect.stringMatching(/^[\w-]{43}$/),
          kid: await testKeyId(),
          alg: 'ES256',
          use: 'sig',
        },
      ],
    });
    const [jwk] = (response.body as { keys: Array<Record<string, string>> }).keys;
    expect(jwk.kid).toBe(await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }));
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(jwk).not.toHaveProperty(member);
  });

  it('describes itself at /.well-known/openid-configuration', async () => {
    const response = await service.http().get('/.well-known/openid-configuration');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      issuer: TEST_ISSUER,
      jwks_uri: `${url}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['ES256'],
      claims_supported: expect.arrayContaining([
        'sub',
        'email',
        'phone_number',
        'phone_number_verified',
        'sid',
        'auth_time',
      ]),
      subject_types_supported: ['public'],
      response_types_supported: ['token'],
    });
  });

  it('lets a separate process verify a token with nothing but the JWKS (examples/verify-access-token.ts)', async () => {
    const { user, accessToken } = await registerUser(service);
    const discovery = await service.http().get('/.well-known/openid-configuration');
    const jwksUrl = (discovery.body as { jwks_uri: string }).jwks_uri;

    const verified = await runVerifyExample(accessToken, { IDENTITY_JWKS_URL: jwksUrl });

    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      sub: user.id,
      email: user.email,
      sid: claimsOf(accessToken).sid,
    });

    const [header, payload, signature] = accessToken.split('.');
    const tampered = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const refused = await runVerifyExample(tampered, { IDENTITY_JWKS_URL: jwksUrl });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^refused:/);
  });
});

describe(`EdDSA (${DATABASE_LABEL})`, () => {
  it('signs with an Ed25519 key, publishes it as OKP, and the example verifies its tokens', async () => {
    const { app, url } = await listeningApp({ JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY: pkcs8('ed25519') });
    try {
      const { accessToken } = await registerUser(app);
      const jwks = await app.http().get('/.well-known/jwks.json');

      expect(headerOf(accessToken).alg).toBe('EdDSA');
      expect(jwks.body).toEqual({
        keys: [
          {
            kty: 'OKP',
            crv: 'Ed25519',
            x: expect.any(String),
            kid: headerOf(accessToken).kid,
            alg: 'EdDSA',
            use: 'sig',
          },
        ],
      });
      const verified = await runVerifyExample(accessToken, {
        IDENTITY_JWKS_URL: `${url}/.well-known/jwks.json`,
        IDENTITY_ALGORITHM: 'EdDSA',
      });
      expect(verified.code).toBe(0);
    } finally {
      await app.close();
    }
  });
});

describe(`key rotation across restarts (${DATABASE_LABEL})`, () => {
  // On PostgreSQL every app of the run shares one database; on SQLite the three apps share this file.
  const sqliteFile = E2E_DATABASE_URL ? undefined : tempSqliteFile();
  const oldKey = TEST_PRIVATE_KEY;
  const newKey = pkcs8('ec');

  afterAll(() => {
    if (sqliteFile) removeSqliteFile(sqliteFile);
  });

  it('keeps old tokens working while the old key is retired, and refuses them once it is dropped', async () => {
    // Step 0: the service signs with the old key.
    const before = await createTestApp({ env: { JWT_PRIVATE_KEY: oldKey }, sqliteFile });
    const ada = await registerUser(before);
    await before.close();

    // Steps 1-2: the new key signs; the old public key is retired, still published and accepted.
    const { app: during, url } = await listeningApp(
      { JWT_PRIVATE_KEY: newKey, JWT_RETIRED_PUBLIC_KEYS: spkiOf(oldKey) },
      sqliteFile,
    );
    let newToken: string;
    try {
      expect(
        (await during.http().get('/users/me').set('Authorization', `Bearer ${ada.accessToken}`)).status,
      ).toBe(200);
      const jwks = await during.http().get('/.well-known/jwks.json');
      const kids = (jwks.body as { keys: Array<{ kid: string }> }).keys.map((key) => key.kid);
      expect(kids).toEqual([await testKeyId(newKey), await testKeyId(oldKey)]);

      const login = await during
        .http()
        .post('/auth/login')
        .send({ email: ada.email, password: ada.password });
      newToken = (login.body as { accessToken: string }).accessToken;
      expect(headerOf(newToken).kid).toBe(await testKeyId(newKey));
      // A refresh token of the old key's days still works: sessions do not depend on the signing key.
      const refreshed = await during.http().post('/auth/refresh').send({ refreshToken: ada.refreshToken });
      expect(refreshed.status).toBe(200);
      expect(headerOf((refreshed.body as { accessToken: string }).accessToken).kid).toBe(
        await testKeyId(newKey),
      );

      // Another service, knowing only the JWKS, accepts both.
      for (const token of [ada.accessToken, newToken]) {
        const verified = await runVerifyExample(token, { IDENTITY_JWKS_URL: `${url}/.well-known/jwks.json` });
        expect(verified.code).toBe(0);
      }
    } finally {
      await during.close();
    }

    // Step 3: the old key's tokens have expired; it is dropped.
    const after = await createTestApp({ env: { JWT_PRIVATE_KEY: newKey }, sqliteFile });
    try {
      const old = await after.http().get('/users/me').set('Authorization', `Bearer ${ada.accessToken}`);
      expect(old.status).toBe(401);
      expect(old.headers['www-authenticate']).toMatch(/error="invalid_token"/);
      expect((await after.http().get('/users/me').set('Authorization', `Bearer ${newToken}`)).status).toBe(
        200,
      );
      const jwks = await after.http().get('/.well-known/jwks.json');
      expect((jwks.body as { keys: Array<{ kid: string }> }).keys.map((key) => key.kid)).toEqual([
        await testKeyId(newKey),
      ]);
    } finally {
      await after.close();
    }
  });
});
