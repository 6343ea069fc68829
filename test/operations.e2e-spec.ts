import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import {
  createTestApp,
  DATABASE_LABEL,
  registerUser,
  removeSqliteFile,
  TestApp,
  tempSqliteFile,
  TEST_REDIS_URL as REDIS_URL,
} from './utils/test-app';

const CLOSED_PORT = 'redis://127.0.0.1:1';

const redisPrefix = () => `e2e-${randomBytes(6).toString('hex')}:`;

describe(`operations (${DATABASE_LABEL})`, () => {
  const apps: TestApp[] = [];
  const start = async (...args: Parameters<typeof createTestApp>) => {
    const testApp = await createTestApp(...args);
    apps.push(testApp);
    return testApp;
  };

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((testApp) => testApp.close()));
  });

  describe('health', () => {
    // These run first: closing a client of a closed port leaves ioredis a 2 s timer that could outlive jest.
    it('GET /health answers 503 when Redis does not answer', async () => {
      const testApp = await start({ env: { REDIS_URL: CLOSED_PORT, REDIS_KEY_PREFIX: redisPrefix() } });

      const response = await testApp.http().get('/health');

      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({
        status: 'error',
        info: { database: { status: 'up' } },
        error: { redis: { status: 'down' } },
        details: { database: { status: 'up' }, redis: { status: 'down' } },
      });
      expect(response.text).not.toContain('127.0.0.1');
    });

    it('GET /health/live answers 200 while Redis does not answer: the process still serves', async () => {
      const testApp = await start({ env: { REDIS_URL: CLOSED_PORT, REDIS_KEY_PREFIX: redisPrefix() } });

      const response = await testApp.http().get('/health/live');

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok' });
    });

    it('GET /health answers 200 with the database up', async () => {
      const testApp = await start();

      const response = await testApp.http().get('/health');

      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: 'ok',
        info: { database: { status: 'up' } },
        error: {},
        details: { database: { status: 'up' } },
      });
    });

    it('GET /health/live answers 200', async () => {
      const testApp = await start();

      const response = await testApp.http().get('/health/live');

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok' });
    });

    it('GET /health reports Redis up when REDIS_URL is set', async () => {
      const testApp = await start({ env: { REDIS_URL, REDIS_KEY_PREFIX: redisPrefix() } });

      const response = await testApp.http().get('/health');

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' }, redis: { status: 'up' } },
      });
    });
  });

  describe('documentation', () => {
    it('GET /docs serves the Swagger UI', async () => {
      const testApp = await start();

      const response = await testApp.http().get('/docs');

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toContain('swagger');
    });

    it('GET /docs-json lists the routes with request schemas and error codes', async () => {
      const testApp = await start();

      const response = await testApp.http().get('/docs-json');

      expect(response.status).toBe(200);
      const document = response.body as {
        openapi: string;
        paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
        components: {
          schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
        };
      };
      expect(document.openapi).toMatch(/^3\./);
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining(['/auth/register', '/auth/login', '/users/me', '/health', '/health/live']),
      );
      expect(document.components.schemas.RegisterDto.properties).toEqual(
        expect.objectContaining({ email: expect.any(Object), password: expect.any(Object) }),
      );
      expect(document.components.schemas.LoginDto.properties).toEqual(
        expect.objectContaining({ email: expect.any(Object), password: expect.any(Object) }),
      );
      const register = document.paths['/auth/register'].post.responses;
      expect(register['201']).toBeDefined();
      expect(register['409'].description).toContain('EMAIL_TAKEN');
      expect(register['400'].description).toContain('VALIDATION_FAILED');
      expect(document.paths['/auth/login'].post.responses['401'].description).toContain(
        'INVALID_CREDENTIALS',
      );
      expect(document.paths['/users/me'].get.responses['401'].description).toContain('UNAUTHORIZED');
    });
  });

  describe('restart', () => {
    const sqliteFile = tempSqliteFile();

    afterAll(() => removeSqliteFile(sqliteFile));

    it('keeps accounts across a restart on the same database', async () => {
      const first = await start({ sqliteFile });
      const { email, password, user } = await registerUser(first);
      await first.close();
      apps.splice(apps.indexOf(first), 1);

      const second = await start({ sqliteFile });
      const login = await second.http().post('/auth/login').send({ email, password });

      expect(login.status).toBe(200);
      expect(login.body.user).toEqual(user);
      const me = await second
        .http()
        .get('/users/me')
        .set('Authorization', `Bearer ${login.body.accessToken}`);
      expect(me.status).toBe(200);
      expect(me.body).toEqual(user);
    });
  });

  describe('several instances sharing Redis', () => {
    let redis: Redis;

    beforeAll(() => {
      redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    });

    afterAll(async () => {
      await redis.quit();
    });

    it('trip the per-address request limit at the same count as one instance', async () => {
      const sqliteFile = tempSqliteFile();
      const env = {
        REDIS_URL,
        REDIS_KEY_PREFIX: redisPrefix(),
        THROTTLE_LIMIT: '4',
        THROTTLE_TTL_SECONDS: '60',
      };
      try {
        const one = await start({ env, sqliteFile });
        const two = await start({ env, sqliteFile });
        for (const instance of [one, two, one, two]) await instance.http().get('/health/live').expect(200);
        for (const instance of [one, two]) {
          const limited = await instance.http().get('/health/live').expect(429);
          expect(limited.body.code).toBe('RATE_LIMITED');
          expect(limited.headers['retry-after']).toMatch(/^\d+$/);
        }
      } finally {
        await Promise.all(apps.splice(0).map((testApp) => testApp.close()));
        removeSqliteFile(sqliteFile);
      }
    });

    it('trip the login failure limit at the same count as one instance', async () => {
      const sqliteFile = tempSqliteFile();
      const keyPrefix = redisPrefix();
      const env = { REDIS_URL, REDIS_KEY_PREFIX: keyPrefix, LOGIN_MAX_FAILURES: '4' };
      try {
        const one = await start({ env, sqliteFile });
        const two = await start({ env, sqliteFile });
        const { email, password } = await registerUser(one);
        const login = (instance: TestApp, body: object) => instance.http().post('/auth/login').send(body);

        for (const instance of [one, two, one, two]) {
          await login(instance, { email, password: 'wrong password' }).expect(401);
        }

        for (const instance of [two, one]) {
          const limited = await login(instance, { email, password });
          expect(limited.status).toBe(429);
          expect(limited.body.code).toBe('RATE_LIMITED');
          expect(limited.headers['retry-after']).toMatch(/^\d+$/);
        }

        // Every counter in Redis carries an expiry.
        const keys = await redis.keys(`${keyPrefix}*`);
        expect(keys.length).toBeGreaterThan(0);
        const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
        expect(ttls.every((ttl) => ttl > 0)).toBe(true);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        await Promise.all(apps.splice(0).map((testApp) => testApp.close()));
        removeSqliteFile(sqliteFile);
      }
    });
  });
});
