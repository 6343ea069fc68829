import { NestExpressApplication } from '@nestjs/platform-express';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import jwt from 'jsonwebtoken';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { APP_OPTIONS, setupApp } from '../../src/app.setup';
import type { UserResponseDto } from '../../src/users/dto/user-response.dto';

export const TEST_JWT_SECRET = 'e2e-test-secret-0123456789abcdefghijklmn';
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
  /^(PORT|HOST|TRUST_PROXY|LOG_FORMAT|DEMO_UI|DATABASE_TIMEOUT_MS|(CORS|JWT|LOGIN|THROTTLE|REDIS|VERIFY|TWILIO|METRICS)_.*)$/;

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
    JWT_SECRET: TEST_JWT_SECRET,
    THROTTLE_LIMIT: '100000',
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
  user: UserResponseDto;
}

/** Registers a fresh account through the API (unique email unless given) and returns its token. */
export async function registerUser(
  testApp: TestApp,
  overrides: { email?: string; password?: string } = {},
): Promise<RegisteredUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? `pw-${randomBytes(8).toString('hex')}`;
  const response = await testApp.http().post('/auth/register').send({ email, password }).expect(201);
  const body = response.body as { accessToken: string; user: UserResponseDto };
  return { email: body.user.email, password, accessToken: body.accessToken, user: body.user };
}

/** Signs a token as the service would (HS256, test secret, issuer, audience, 900 s); options override. */
export function signToken(
  payload: Record<string, unknown>,
  options: jwt.SignOptions & { secret?: string } = {},
): string {
  const { secret = TEST_JWT_SECRET, ...signOptions } = options;
  return jwt.sign(payload, secret, {
    algorithm: 'HS256',
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    ...(payload.exp === undefined ? { expiresIn: 900 } : {}),
    ...signOptions,
  });
}
