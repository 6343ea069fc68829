import { EXAMPLE_JWT_SECRET } from '../src/config/auth.config';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createTestApp, removeSqliteFile, tempSqliteFile, TEST_PRIVATE_KEY } from './utils/test-app';

// Production settings that are valid, so that each case below breaks exactly one thing.
const PRODUCTION = {
  NODE_ENV: 'production',
  VERIFY_PROVIDER: 'twilio-v1',
  TWILIO_VERIFY_API_KEY: 'test-api-key',
};
const V2_CREDENTIALS = {
  VERIFY_PROVIDER: 'twilio-v2',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 'test-auth-token',
  TWILIO_VERIFY_SERVICE_SID: 'VA00000000000000000000000000000000',
};
const SHORT_SECRET = 'short-secret-31-characters-long';
const HS256 = { JWT_ALGORITHM: 'HS256' };
const ED25519_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
const TEST_PUBLIC_KEY = createPublicKey(TEST_PRIVATE_KEY).export({ format: 'pem', type: 'spki' }).toString();

describe('configuration at start-up', () => {
  // SQLite in both runs: a start-up that fails leaves behind the connections Nest opened before the error,
  // and a PostgreSQL pool would keep jest alive; a SQLite handle does not.
  const sqliteFile = tempSqliteFile();
  const start = (env: Record<string, string | undefined>) =>
    createTestApp({ env: { DATABASE_URL: `sqlite:${sqliteFile}`, ...env } });

  afterAll(() => removeSqliteFile(sqliteFile));

  it('starts with valid production settings', async () => {
    const testApp = await start({ ...PRODUCTION });

    await testApp.close();
  });

  it.each<[string, Record<string, string>]>([
    ['EdDSA and an Ed25519 key', { JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY: ED25519_KEY }],
    ['ES256 and retired keys', { JWT_RETIRED_PUBLIC_KEYS: TEST_PUBLIC_KEY }],
    ['HS256 and a random secret', { ...HS256, JWT_SECRET: 'vK3p9QzX1mT7wR4yB8nL2cF6hJ0sD5gA+eU/iO==' }],
  ])('starts in production with %s', async (_case, env) => {
    const testApp = await start({ ...PRODUCTION, ...env });

    await testApp.close();
  });

  it('starts with complete Verify v2 settings', async () => {
    const testApp = await start({ ...V2_CREDENTIALS });

    await testApp.close();
  });

  it.each<[string, Record<string, string | undefined>, RegExp]>([
    ['PORT=abc', { PORT: 'abc' }, /PORT/],
    ['JWT_EXPIRES_IN=-5', { JWT_EXPIRES_IN: '-5' }, /JWT_EXPIRES_IN/],
    ['production without JWT_PRIVATE_KEY', { ...PRODUCTION, JWT_PRIVATE_KEY: undefined }, /JWT_PRIVATE_KEY/],
    ['JWT_ALGORITHM=RS256', { JWT_ALGORITHM: 'RS256' }, /JWT_ALGORITHM/],
    ['JWT_PRIVATE_KEY that is no PEM', { JWT_PRIVATE_KEY: 'not-a-key' }, /JWT_PRIVATE_KEY/],
    ['an Ed25519 JWT_PRIVATE_KEY for ES256', { JWT_PRIVATE_KEY: ED25519_KEY }, /JWT_PRIVATE_KEY.*P-256/],
    ['a public key as JWT_PRIVATE_KEY', { JWT_PRIVATE_KEY: TEST_PUBLIC_KEY }, /JWT_PRIVATE_KEY/],
    [
      'JWT_RETIRED_PUBLIC_KEYS that are no PEM',
      { JWT_RETIRED_PUBLIC_KEYS: 'old-key' },
      /JWT_RETIRED_PUBLIC_KEYS/,
    ],
    [
      'a private key among JWT_RETIRED_PUBLIC_KEYS',
      { JWT_RETIRED_PUBLIC_KEYS: TEST_PRIVATE_KEY },
      /JWT_RETIRED_PUBLIC_KEYS/,
    ],
    [
      'JWT_RETIRED_PUBLIC_KEYS with HS256',
      { ...HS256, JWT_RETIRED_PUBLIC_KEYS: TEST_PUBLIC_KEY },
      /JWT_RETIRED_PUBLIC_KEYS/,
    ],
    ['PUBLIC_URL=not-a-url', { PUBLIC_URL: 'not-a-url' }, /PUBLIC_URL/],
    ['REFRESH_TOKEN_TTL_SECONDS=0', { REFRESH_TOKEN_TTL_SECONDS: '0' }, /REFRESH_TOKEN_TTL_SECONDS/],
    ['REAUTH_MAX_AGE_SECONDS=abc', { REAUTH_MAX_AGE_SECONDS: 'abc' }, /REAUTH_MAX_AGE_SECONDS/],
    ['production HS256 without JWT_SECRET', { ...PRODUCTION, ...HS256, JWT_SECRET: undefined }, /JWT_SECRET/],
    [
      'production HS256 with a short JWT_SECRET',
      { ...PRODUCTION, ...HS256, JWT_SECRET: SHORT_SECRET },
      /JWT_SECRET/,
    ],
    [
      'production HS256 with the example JWT_SECRET',
      { ...PRODUCTION, ...HS256, JWT_SECRET: EXAMPLE_JWT_SECRET },
      /JWT_SECRET/,
    ],
    [
      'production HS256 with one repeated character',
      { ...PRODUCTION, ...HS256, JWT_SECRET: 'a'.repeat(64) },
      /JWT_SECRET/,
    ],
    [
      'production HS256 with a repeated phrase',
      { ...PRODUCTION, ...HS256, JWT_SECRET: 'letmein!'.repeat(6) },
      /JWT_SECRET/,
    ],
    ['production with VERIFY_PROVIDER=log', { ...PRODUCTION, VERIFY_PROVIDER: 'log' }, /VERIFY_PROVIDER/],
    ['production without VERIFY_PROVIDER', { ...PRODUCTION, VERIFY_PROVIDER: undefined }, /VERIFY_PROVIDER/],
    [
      'twilio-v2 without credentials',
      { VERIFY_PROVIDER: 'twilio-v2' },
      /TWILIO_ACCOUNT_SID.*TWILIO_AUTH_TOKEN.*TWILIO_VERIFY_SERVICE_SID/,
    ],
    [
      'twilio-v2 with TWILIO_VERIFY_SERVICE_SID=bad',
      { ...V2_CREDENTIALS, TWILIO_VERIFY_SERVICE_SID: 'bad' },
      /TWILIO_VERIFY_SERVICE_SID/,
    ],
    ['twilio-v1 without TWILIO_VERIFY_API_KEY', { VERIFY_PROVIDER: 'twilio-v1' }, /TWILIO_VERIFY_API_KEY/],
    ['DATABASE_URL=mysql://x', { DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    ['DATABASE_TIMEOUT_MS=50', { DATABASE_TIMEOUT_MS: '50' }, /DATABASE_TIMEOUT_MS/],
    ['DATABASE_TIMEOUT_MS=soon', { DATABASE_TIMEOUT_MS: 'soon' }, /DATABASE_TIMEOUT_MS/],
    ['VERIFY_CODE_TTL_SECONDS=601', { VERIFY_CODE_TTL_SECONDS: '601' }, /VERIFY_CODE_TTL_SECONDS/],
    [
      'production with VERIFY_TEST_NUMBERS',
      { ...PRODUCTION, VERIFY_TEST_NUMBERS: '+447700900123=123456' },
      /VERIFY_TEST_NUMBERS/,
    ],
    ['VERIFY_TEST_NUMBERS=447700900123', { VERIFY_TEST_NUMBERS: '447700900123' }, /VERIFY_TEST_NUMBERS/],
    [
      'VERIFY_MAX_SENDS_PER_NUMBER_PER_HOUR=-1',
      { VERIFY_MAX_SENDS_PER_NUMBER_PER_HOUR: '-1' },
      /VERIFY_MAX_SENDS_PER_NUMBER_PER_HOUR/,
    ],
    [
      'VERIFY_SEND_BUDGET_PER_HOUR=lots',
      { VERIFY_SEND_BUDGET_PER_HOUR: 'lots' },
      /VERIFY_SEND_BUDGET_PER_HOUR/,
    ],
    ['CORS_ORIGINS with a path', { CORS_ORIGINS: 'https://app.example.com/app' }, /CORS_ORIGINS/],
    ['CORS_ORIGINS=*', { CORS_ORIGINS: '*' }, /CORS_ORIGINS/],
    ['CORS_ALLOWED_HEADERS=a b', { CORS_ALLOWED_HEADERS: 'a b' }, /CORS_ALLOWED_HEADERS/],
    ['HOST=a/b', { HOST: 'a/b' }, /HOST/],
    ['LOG_FORMAT=xml', { LOG_FORMAT: 'xml' }, /LOG_FORMAT/],
  ])('refuses to start with %s, naming the variable', async (_case, env, variable) => {
    await expect(start(env)).rejects.toThrow(variable);
  });

  it('does not repeat a secret value in the error', async () => {
    const error = await start({ ...PRODUCTION, ...HS256, JWT_SECRET: SHORT_SECRET }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/JWT_SECRET/);
    expect((error as Error).message).not.toContain(SHORT_SECRET);
  });

  it('does not repeat a private key in the error', async () => {
    const error = await start({ JWT_PRIVATE_KEY: ED25519_KEY }).catch((caught: unknown) => caught);

    expect((error as Error).message).toMatch(/JWT_PRIVATE_KEY/);
    expect((error as Error).message).not.toContain(ED25519_KEY.split('\n')[1]);
  });
});
