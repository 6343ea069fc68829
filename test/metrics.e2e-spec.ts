import { randomUUID } from 'node:crypto';
import { ScrapedMetrics } from './utils/prometheus';
import { createTestApp, DATABASE_LABEL, registerUser, TestApp } from './utils/test-app';
import { twilioV2Provider, uniqueMobile } from './utils/verification-providers';

const METRICS_TOKEN = 'metrics-e2e-token-0123456789abcdef';

// Every route template of the service that the journey below calls.
const ROUTES = new Set([
  '/auth/register',
  '/auth/login',
  '/users/me',
  '/users/me/phone',
  '/phone-verification/start',
  '/phone-verification/check',
  '/phone-verification/status',
  '/health',
  '/metrics',
  'unmatched',
]);

describe(`GET /metrics (${DATABASE_LABEL})`, () => {
  const apps: TestApp[] = [];
  const start = async (...args: Parameters<typeof createTestApp>) => {
    const testApp = await createTestApp(...args);
    apps.push(testApp);
    return testApp;
  };

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((testApp) => testApp.close()));
  });

  it('after a whole journey, parses as Prometheus text and holds no number, email or id', async () => {
    const provider = await twilioV2Provider();
    try {
      const testApp = await start({ env: provider.env() });
      const http = testApp.http;
      const account = await registerUser(testApp);
      const auth = { Authorization: `Bearer ${account.accessToken}` };
      const phone = uniqueMobile();

      await http().post('/auth/login').send({ email: account.email, password: 'wrong-password' }).expect(401);
      await http().post('/auth/login').send({ email: account.email, password: account.password }).expect(200);
      await http().put('/users/me/phone').set(auth).send({ phoneNumber: phone.e164 }).expect(200);
      await http().post('/phone-verification/start').set(auth).send({}).expect(202);
      await http().get('/phone-verification/status').set(auth).expect(200);
      const wrong = provider.codeFor(phone) === '000000' ? '111111' : '000000';
      await http().post('/phone-verification/check').set(auth).send({ code: wrong }).expect(400);
      await http()
        .post('/phone-verification/check')
        .set(auth)
        .send({ code: provider.codeFor(phone) })
        .expect(200);
      await http().get('/users/me').set(auth).expect(200);
      // Paths that hold an id, an email and a number: none may become a label.
      await http().get(`/users/${account.user.id}`).set(auth).expect(404);
      await http()
        .get(`/users/${encodeURIComponent(account.email)}/${phone.e164}`)
        .expect(404);
      await http().get('/health').expect(200);

      const response = await http().get('/metrics').expect(200);

      expect(response.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
      const scraped = new ScrapedMetrics(response.text);
      for (const name of [
        'identity_verification_sends_total',
        'identity_verification_checks_total',
        'identity_verification_approvals_total',
        'identity_logins_total',
        'identity_verification_conversion_ratio',
        'http_request_duration_seconds',
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
      ]) {
        expect(scraped.family(name).metrics.length).toBeGreaterThan(0);
      }
      expect(scraped.family('http_request_duration_seconds').type).toBe('HISTOGRAM');
      const sent = { provider: 'twilio-v2', channel: 'sms', country: 'GB', result: 'sent' };
      expect(scraped.value('identity_verification_sends_total', sent)).toBe(1);
      expect(scraped.value('identity_verification_checks_total', { result: 'wrong_code' })).toBe(1);
      expect(scraped.value('identity_verification_checks_total', { result: 'approved' })).toBe(1);
      expect(scraped.value('identity_verification_approvals_total', { channel: 'sms', country: 'GB' })).toBe(
        1,
      );
      expect(scraped.value('identity_logins_total', { result: 'success' })).toBe(1);
      expect(scraped.value('identity_logins_total', { result: 'invalid_credentials' })).toBe(1);
      expect(scraped.value('identity_verification_conversion_ratio', { country: 'GB' })).toBe(1);

      const counts = scraped.samples('http_request_duration_seconds_count');
      const routes = new Set(counts.map((metric) => metric.labels?.route));
      expect([...routes].filter((route) => !ROUTES.has(route!))).toEqual([]);
      expect(routes).toContain('/phone-verification/check');
      expect(routes).toContain('unmatched');
      const check = { method: 'POST', route: '/phone-verification/check' };
      expect(scraped.value('http_request_duration_seconds_count', { ...check, status: '400' })).toBe(1);
      expect(scraped.value('http_request_duration_seconds_count', { ...check, status: '200' })).toBe(1);
      expect(
        scraped.value('http_request_duration_seconds_count', { route: 'unmatched', status: '404' }),
      ).toBe(2);

      const secrets = [
        account.email,
        account.email.split('@')[0],
        account.user.id,
        phone.e164,
        phone.nationalNumber,
        encodeURIComponent(account.email),
        account.accessToken,
      ];
      for (const secret of secrets) expect(response.text).not.toContain(secret);
      const labelValues = scraped.labelValues();
      expect(labelValues.length).toBeGreaterThan(20);
      for (const value of labelValues) {
        expect(value).not.toMatch(/@|\+\d{6,}|\d{7,}/);
        expect(value).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
      }
    } finally {
      await provider.close();
    }
  });

  it('wants the bearer token when METRICS_TOKEN is set, in the error shape of every 401', async () => {
    const testApp = await start({ env: { METRICS_TOKEN } });

    for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${METRICS_TOKEN}`, METRICS_TOKEN]) {
      const request = testApp.http().get('/metrics');
      const response = await (authorization ? request.set('Authorization', authorization) : request);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'UNAUTHORIZED',
        message: 'A valid metrics token is required',
      });
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(response.text).not.toContain('identity_');
    }

    const response = await testApp.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(new ScrapedMetrics(response.text).family('identity_logins_total').type).toBe('COUNTER');
  });

  it('refuses a user access token in place of the metrics token', async () => {
    const testApp = await start({ env: { METRICS_TOKEN } });
    const account = await registerUser(testApp);

    await testApp.http().get('/metrics').set('Authorization', `Bearer ${account.accessToken}`).expect(401);
  });

  it('is open without METRICS_TOKEN', async () => {
    const testApp = await start();

    const response = await testApp.http().get('/metrics').expect(200);

    expect(new ScrapedMetrics(response.text).family('identity_logins_total').type).toBe('COUNTER');
  });

  it('keeps each app instance its own counts (apps of one process do not mix)', async () => {
    const [first, second] = [await start(), await start()];
    await first.http().get(`/no-such-route/${randomUUID()}`).expect(404);

    const count = async (testApp: TestApp) =>
      new ScrapedMetrics((await testApp.http().get('/metrics')).text).value(
        'http_request_duration_seconds_count',
        { route: 'unmatched' },
      );
    expect(await count(first)).toBe(1);
    expect(await count(second)).toBe(0);
  });

  it('stays out of the public OpenAPI document', async () => {
    const testApp = await start();

    const document = await testApp.http().get('/docs-json').expect(200);

    expect(Object.keys(document.body.paths as object)).not.toContain('/metrics');
  });
});
