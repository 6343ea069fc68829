import { NestExpressApplication } from '@nestjs/platform-express';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import jwt from 'jsonwebtoken';
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { JWTHeaderParameters, SignJWT } from 'jose';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { APP_OPTIONS, setupApp } from '../../src/app.setup';
import { publicJwk } from '../../src/auth/keys/signing-keys';
import type { UserResponseDto } from '../../src/users/dto/user-response.dto';

export const TEST_JWT_SECRET = 'e2e-test-secret-0123456789abcdefghijklmn';
/** The ES256 signing key of every test app unless a test gives another (PKCS#8 PEM). */
export const TEST_PRIVATE_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
export const TEST_ISSUER = 'identity-service';
export const TEST_AUDIENCE = 'identity-service';

/** Set by test/run-e2e.js for the PostgreSQL run; unset, every app gets its own SQLite file. */
export const E2E_DATABASE_URL = process.env.E2E_DATABASE_URL;
export const DATABASE_LABEL = E2E_DATABASE_URL ? 'postgres' : 'sqlite';
/** The Redis the suites share (checked before `npm test` by test/check-services.js). */
export const TEST_REDIS_URL = process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestAppOptions {
  /** Environment of this app on top of the test defaults; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** A SQLite file the caller owns (kept on close), e.g. to restart on the same data; ignored on PostgreSQL. */
  sqliteFile?: string;
}

export interface TestApp {
  app: NestExpressApplication;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
  /** The SQLite file in use; undefined on PostgreSQL. */
  sqliteFile?: string;
}

// Variables of the service that must not leak from the developer's shell into a test.
const SERVICE_VARIABLES =
  /^(PORT|HOST|TRUST_PROXY|LOG_FORMAT|DEMO_UI|DATABASE_TIMEOUT_MS|PUBLIC_URL|(CORS|JWT|LOGIN|THROTTLE|REDIS|VERIFY|TWILIO|METRICS|REFRESH_TOKEN|REAUTH)_.*)$/;

export function tempSqliteFile(): string {
  return join(tmpdir(), `identity-e2e-${process.pid}-${randomBytes(6).toString('hex')}.sqlite`);
}

export function removeSqliteFile(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}

/** Boots AppModule exactly as main.ts does (APP_OPTIONS + setupApp), with a test environment. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const sqliteFile = E2E_DATABASE_URL ? undefined : (options.sqliteFile ?? tempSqliteFile());
  // A temporary file is removed on close; a file the caller passed is the caller's.
  const cleanUp = () => {
    if (sqliteFile && !options.sqliteFile) removeSqliteFile(sqliteFile);
  };
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_PRIVATE_KEY: TEST_PRIVATE_KEY,
    JWT_SECRET: TEST_JWT_SECRET,
    THROTTLE_LIMIT: '100000',
    // The caps across accounts would trip in suites that send many codes from one address or to one number:
    // test/abuse.e2e-spec.ts turns them on.
    VERIFY_MAX_SENDS_PER_ADDRESS_PER_HOUR: '0',
    VERIFY_MAX_SENDS_PER_NUMBER_PER_HOUR: '0',
    DATABASE_URL: E2E_DATABASE_URL ?? `sqlite:${sqliteFile}`,
    ...options.env,
  };

  // Configuration is read while the module compiles: the environment is the app's only for that time.
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (SERVICE_VARIABLES.test(name)) delete process.env[name];
  setEnv(env);
  let app: NestExpressApplication | undefined;
  try {
    let builder = Test.createTestingModule({ imports: [AppModule] });
    if (options.override) builder = options.override(builder);
    const moduleRef = await builder.compile();
    app = moduleRef.createNestApplication<NestExpressApplication>(APP_OPTIONS);
    setupApp(app);
    await app.init();
  } catch (error) {
    await app?.close().catch(() => undefined);
    cleanUp();
    throw error;
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    setEnv(saved);
  }

  const started = app;
  return {
    app: started,
    http: () => request(started.getHttpServer()),
    sqliteFile,
    close: async () => {
      await started.close();
      cleanUp();
    },
  };
}

function setEnv(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}@example.com`;
}

export interface RegisteredUser {
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** The session the registration started (the token's `sid`). */
  sessionId: string;
  user: UserResponseDto;
}

/** The body of a register, login, refresh or password change. */
export interface TokenPairBody {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  user: UserResponseDto;
}

/** The claims of a token, unverified: for tests that look inside one. */
export function claimsOf(token: string): Record<string, unknown> & { sid?: string } {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** Registers a fresh account through the API (unique email unless given) and returns its token. */
export async function registerUser(
  testApp: TestApp,
  overrides: { email?: string; password?: string } = {},
): Promise<RegisteredUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? `pw-${randomBytes(8).toString('hex')}`;
  const response = await testApp.http().post('/auth/register').send({ email, password }).expect(201);
  const body = response.body as TokenPairBody;
  return {
    email: body.user.email,
    password,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    sessionId: claimsOf(body.accessToken).sid as string,
    user: body.user,
  };
}

/**
 * Signs a token as an app with `JWT_ALGORITHM=HS256` would (test secret, issuer, audience, 900 s, `auth_time`
 * now); options override. The payload needs a real session's `sid` to be accepted.
 */
export function signToken(
  payload: Record<string, unknown>,
  options: jwt.SignOptions & { secret?: string } = {},
): string {
  const { secret = TEST_JWT_SECRET, ...signOptions } = options;
  return jwt.sign({ auth_time: Math.floor(Date.now() / 1000), ...payload }, secret, {
    algorithm: 'HS256',
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    ...(payload.exp === undefined ? { expiresIn: 900 } : {}),
    ...signOptions,
  });
}

/** The `kid` under which test apps publish TEST_PRIVATE_KEY. */
export async function testKeyId(pem = TEST_PRIVATE_KEY): Promise<string> {
  return (await publicJwk(createPrivateKey(pem), 'ES256')).kid;
}

/**
 * Signs an ES256 token as a test app would (TEST_PRIVATE_KEY under its kid, issuer, audience, 900 s,
 * `auth_time` now); `header` and the payload override. The payload needs a real session's `sid`.
 */
export async function signES256(
  payload: Record<string, unknown>,
  header: Partial<JWTHeaderParameters> = {},
  pem = TEST_PRIVATE_KEY,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: TEST_ISSUER,
    aud: TEST_AUDIENCE,
    iat: now,
    exp: now + 900,
    auth_time: now,
    ...payload,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: await testKeyId(pem), ...header })
    .sign(createPrivateKey(pem));
}
