import { Logger } from '@nestjs/common';
import { UsersService } from '../src/users/users.service';
import { createTestApp, DATABASE_LABEL, registerUser, TestApp, uniqueEmail } from './utils/test-app';

const PASSWORD = 'correct horse battery staple';

function expectError(
  response: { status: number; body: Record<string, unknown> },
  status: number,
  code: string,
): void {
  expect(response.status).toBe(status);
  expect(response.body).toMatchObject({
    statusCode: status,
    error: expect.any(String),
    code,
    message: expect.any(String),
  });
  expect(JSON.stringify(response.body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
}

// Fails like a broken query would, with SQL and a secret in its message.
class FailingUsersService extends UsersService {
  override findByEmailWithPasswordHash(): never {
    throw new Error('SELECT secret FROM users WHERE password_hash = $argon2id$ QueryFailedError');
  }
}

describe(`HTTP edge (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });

  afterAll(async () => {
    await testApp.close();
  });

  const postJson = (path: string, raw: string) =>
    testApp.http().post(path).set('Content-Type', 'application/json').send(raw);

  it('answers 413 PAYLOAD_TOO_LARGE to a body over 16 KiB', async () => {
    const body = JSON.stringify({ email: uniqueEmail(), password: 'p'.repeat(17 * 1024) });

    expectError(await postJson('/auth/register', body), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers 400 VALIDATION_FAILED to malformed JSON', async () => {
    expectError(await postJson('/auth/register', '{"email": "ada@example.com",'), 400, 'VALIDATION_FAILED');
  });

  it.each([
    ['a JSON array', '[{"email":"ada@example.com","password":"correct horse"}]'],
    ['a JSON string', '"ada@example.com"'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
  ])('answers 400 VALIDATION_FAILED to %s as the body', async (_case, raw) => {
    expectError(await postJson('/auth/register', raw), 400, 'VALIDATION_FAILED');
  });

  it('answers 415 UNSUPPORTED_MEDIA_TYPE to a text/plain body', async () => {
    const response = await testApp
      .http()
      .post('/auth/login')
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify({ email: 'ada@example.com', password: PASSWORD }));

    expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('parses an application/*+json body like application/json', async () => {
    const response = await testApp
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/vnd.api+json; charset=utf-8')
      .send(JSON.stringify({ email: 'nobody-json@example.com', password: PASSWORD }));

    expectError(response, 401, 'INVALID_CREDENTIALS');
  });

  it.each([
    ['__proto__', `{"email":"proto@example.com","password":"${PASSWORD}","__proto__":{"isAdmin":true}}`],
    [
      'constructor.prototype',
      `{"email":"ctor@example.com","password":"${PASSWORD}","constructor":{"prototype":{"isAdmin":true}}}`,
    ],
    ['nested __proto__', `{"email":{"__proto__":{"toString":"x"}},"password":"${PASSWORD}"}`],
  ])('refuses a %s payload with 400 and pollutes nothing', async (_case, raw) => {
    for (const path of ['/auth/register', '/auth/login']) {
      expectError(await postJson(path, raw), 400, 'VALIDATION_FAILED');
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    const health = await testApp.http().get('/health/live');
    expect(health.status).toBe(200);
  });

  it('answers 4xx, not 5xx, to deeply nested JSON', async () => {
    const depth = 5000;
    const raw = `{"email":${'['.repeat(depth)}${']'.repeat(depth)},"password":"${PASSWORD}"}`;
    expect(Buffer.byteLength(raw)).toBeLessThan(16 * 1024);

    const response = await postJson('/auth/register', raw);

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('answers 4xx, not 5xx, to invalid UTF-8', async () => {
    const raw = Buffer.concat([
      Buffer.from('{"email":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('@x.io"}'),
    ]);

    const response = await testApp
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send(raw);

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('answers 404 NOT_FOUND in the error shape to an unknown route', async () => {
    const response = await testApp.http().get('/no/such/route');

    expectError(response, 404, 'NOT_FOUND');
    expect(Object.keys(response.body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
  });

  it('sends helmet headers and no X-Powered-By', async () => {
    const response = await testApp.http().get('/health/live');

    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBeDefined();
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('echoes a safe X-Request-Id and replaces an unsafe one', async () => {
    const echoed = await testApp.http().get('/health/live').set('X-Request-Id', 'req-123.abc_DEF');
    const replaced = await testApp.http().get('/health/live').set('X-Request-Id', 'evil value\twith tab');

    expect(echoed.headers['x-request-id']).toBe('req-123.abc_DEF');
    expect(replaced.headers['x-request-id']).toMatch(/^[\w.-]{1,64}$/);
    expect(replaced.headers['x-request-id']).not.toContain('evil');
  });
});

describe(`internal errors (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({
      override: (builder) => builder.overrideProvider(UsersService).useClass(FailingUsersService),
    });
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('answers a bare 500 INTERNAL_ERROR that leaks no stack, SQL or secret', async () => {
    const response = await testApp
      .http()
      .post('/auth/login')
      .send({ email: uniqueEmail(), password: PASSWORD });

    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
    });
    expect(response.text).not.toMatch(/SELECT|secret|argon2|\.ts:\d+/);
  });

  it('keeps serving after a 500', async () => {
    await testApp.http().post('/auth/login').send({ email: uniqueEmail(), password: PASSWORD });

    const { user } = await registerUser(testApp);
    expect(user.email).toMatch(/@example\.com$/);
  });
});

describe(`request-rate limit (${DATABASE_LABEL})`, () => {
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string>) => {
    const testApp = await createTestApp({ env: { THROTTLE_LIMIT: '3', THROTTLE_TTL_SECONDS: '60', ...env } });
    apps.push(testApp);
    return testApp;
  };

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((testApp) => testApp.close()));
  });

  it('answers the 4th request of a window with 429 RATE_LIMITED and Retry-After', async () => {
    const testApp = await start({});

    for (let request = 1; request <= 3; request++) {
      await testApp.http().get('/health/live').expect(200);
    }
    const limited = await testApp.http().get('/health/live');

    expectError(limited, 429, 'RATE_LIMITED');
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('ignores a forged X-Forwarded-For without TRUST_PROXY', async () => {
    const testApp = await start({});

    const statuses: number[] = [];
    for (let request = 1; request <= 4; request++) {
      const response = await testApp
        .http()
        .get('/health/live')
        .set('X-Forwarded-For', `203.0.113.${request}`);
      statuses.push(response.status);
    }

    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('gives each forwarded client its own budget behind a trusted proxy (TRUST_PROXY=loopback)', async () => {
    const testApp = await start({ TRUST_PROXY: 'loopback' });
    const live = (client: string) => testApp.http().get('/health/live').set('X-Forwarded-For', client);

    for (let request = 1; request <= 3; request++) await live('203.0.113.10').expect(200);
    await live('203.0.113.10').expect(429);

    await live('203.0.113.20').expect(200);
    await live('198.51.100.7, 203.0.113.30').expect(200);
  });
});

describe(`CORS (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;
  const origin = 'https://app.example.com';

  beforeAll(async () => {
    testApp = await createTestApp({ env: { CORS_ORIGINS: origin } });
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('allows a preflight from a configured origin, with Authorization as a request header', async () => {
    const response = await testApp
      .http()
      .options('/users/me')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');

    expect(response.status).toBeLessThan(300);
    expect(response.headers['access-control-allow-origin']).toBe(origin);
    expect(response.headers['access-control-allow-headers']).toMatch(/(^|,\s*)Authorization(,|$)/i);
    expect(response.headers['access-control-allow-methods']).toMatch(/GET/);
  });

  it('exposes Retry-After to the configured origin', async () => {
    const response = await testApp.http().get('/health/live').set('Origin', origin);

    expect(response.headers['access-control-allow-origin']).toBe(origin);
    expect(response.headers['access-control-expose-headers']).toMatch(/Retry-After/i);
  });

  it('does not allow another origin', async () => {
    const preflight = await testApp
      .http()
      .options('/users/me')
      .set('Origin', 'https://evil.example.net')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    const simple = await testApp.http().get('/health/live').set('Origin', 'https://evil.example.net');

    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe(`CORS for a local frontend (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;
  let warnings: string[];
  const frontend = 'http://localhost:5173';

  beforeAll(async () => {
    // Written as copied from the address bar, with a trailing slash.
    testApp = await createTestApp({
      env: { CORS_ORIGINS: `${frontend}/`, CORS_ALLOWED_HEADERS: 'traceparent,tracestate' },
    });
  });

  beforeEach(() => {
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((_fields: unknown, message?: unknown) => {
      warnings.push(String(message));
    });
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await testApp.close();
  });

  const preflight = (origin: string, headers: string) =>
    testApp
      .http()
      .options('/phone-verification/start')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', headers);

  it('passes a preflight carrying traceparent from the configured origin', async () => {
    const response = await preflight(frontend, 'authorization,content-type,traceparent,tracestate');

    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(frontend);
    expect(response.headers['access-control-allow-headers']).toMatch(/traceparent/);
    expect(response.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/);
    expect(warnings).toEqual([]);
  });

  it('answers a refused preflight without Allow-Origin (not 404), and logs once which variable to set', async () => {
    const first = await preflight('http://localhost:8080', 'authorization');
    const second = await preflight('http://localhost:8080', 'authorization');

    for (const response of [first, second]) {
      expect(response.status).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('http://localhost:8080');
    expect(warnings[0]).toContain('CORS_ORIGINS');
  });

  it('names CORS_ALLOWED_HEADERS when the frontend sends a header that is not allowed', async () => {
    await preflight(frontend, 'authorization,baggage');

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('CORS_ALLOWED_HEADERS=baggage');
  });

  it('says nothing about requests from the service own pages', async () => {
    const host = 'localhost:3000';
    await testApp.http().post('/auth/login').set('Host', host).set('Origin', `http://${host}`).send({});

    expect(warnings).toEqual([]);
  });
});
