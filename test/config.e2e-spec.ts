import { EXAMPLE_JWT_SECRET } from '../src/config/auth.config';
import { createTestApp, removeSqliteFile, tempSqliteFile } from './utils/test-app';

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

  it('starts with complete Verify v2 settings', async () => {
    const testApp = await start({ ...V2_CREDENTIALS });

    await testApp.close();
  });

  it.each<[string, Record<string, string | undefined>, RegExp]>([
    ['PORT=abc', { PORT: 'abc' }, /PORT/],
    ['JWT_EXPIRES_IN=-5', { JWT_EXPIRES_IN: '-5' }, /JWT_EXPIRES_IN/],
    ['production without JWT_SECRET', { ...PRODUCTION, JWT_SECRET: undefined }, /JWT_SECRET/],
    ['production with a short JWT_SECRET', { ...PRODUCTION, JWT_SECRET: SHORT_SECRET }, /JWT_SECRET/],
    [
      'production with the example JWT_SECRET',
      { ...PRODUCTION, JWT_SECRET: EXAMPLE_JWT_SECRET },
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
    ['CORS_ORIGINS with a path', { CORS_ORIGINS: 'https://app.example.com/app' }, /CORS_ORIGINS/],
    ['CORS_ORIGINS=*', { CORS_ORIGINS: '*' }, /CORS_ORIGINS/],
    ['CORS_ALLOWED_HEADERS=a b', { CORS_ALLOWED_HEADERS: 'a b' }, /CORS_ALLOWED_HEADERS/],
    ['HOST=a/b', { HOST: 'a/b' }, /HOST/],
    ['LOG_FORMAT=xml', { LOG_FORMAT: 'xml' }, /LOG_FORMAT/],
  ])('refuses to start with %s, naming the variable', async (_case, env, variable) => {
    await expect(start(env)).rejects.toThrow(variable);
  });

  it('does not repeat a secret value in the error', async () => {
    const error = await start({ ...PRODUCTION, JWT_SECRET: SHORT_SECRET }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/JWT_SECRET/);
    expect((error as Error).message).not.toContain(SHORT_SECRET);
  });
});
