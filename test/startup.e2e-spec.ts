import { spawn } from 'node:child_process';
import { once } from 'node:events';
import request from 'supertest';
import { freePort, ServiceProcess, spawnService, until } from './utils/service-process';
import { E2E_DATABASE_URL, removeSqliteFile, tempSqliteFile, uniqueEmail } from './utils/test-app';

const PG_PASSWORD = 'pg-sentinel-password';
// Each case starts the service under ts-node: on a busy machine that takes longer than the default timeout.
const PROCESS_TIMEOUT_MS = 120_000;

/** The database of this run, with a password in the URL on PostgreSQL so that the banner's redaction shows. */
function databaseUrl(sqliteFile: string): string {
  if (!E2E_DATABASE_URL) return `sqlite:${sqliteFile}`;
  const url = new URL(E2E_DATABASE_URL);
  url.password = PG_PASSWORD; // the test server trusts local connections: any password is accepted
  return url.toString();
}

describe('start-up as a newcomer sees it', () => {
  const sqliteFile = tempSqliteFile();
  const services: ServiceProcess[] = [];
  const start = (env: Record<string, string>) => {
    const service = spawnService({
      NODE_ENV: 'development',
      DATABASE_URL: databaseUrl(sqliteFile),
      JWT_SECRET: 'startup-e2e-secret-0123456789abcdefghijkl',
      ...env,
    });
    services.push(service);
    return service;
  };

  afterEach(async () => {
    await Promise.all(services.splice(0).map((service) => service.kill()));
  });

  afterAll(() => removeSqliteFile(sqliteFile));

  it(
    'logs JSON when not on a terminal: a few lines, then one banner line with the URLs, provider and database',
    async () => {
      const port = await freePort();
      // Without the demo client (whether it is built or not): the API's URL is the one to open.
      const service = start({ PORT: String(port), HOST: '127.0.0.1', DEMO_UI: 'false' });
      await service.started();

      // On PostgreSQL, the pg driver may print a deprecation notice of its own (not a log line).
      const lines = service
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const banner = lines.at(-1)!;
      expect(banner).toMatchObject({
        msg: `listening on port ${port}: http://127.0.0.1:${port}`,
        api: `http://127.0.0.1:${port}`,
        docs: `http://127.0.0.1:${port}/docs`,
        provider: 'log',
        codes: expect.stringContaining('verification code for'),
        database: E2E_DATABASE_URL ? expect.stringMatching(/^postgres/) : `sqlite:${sqliteFile}`,
      });
      // Nest's line per module and per route went to debug.
      expect(lines.length).toBeLessThanOrEqual(3);
      expect(service.output()).not.toContain('Mapped {');
      expect(service.output()).not.toContain(PG_PASSWORD);
      await request(`http://127.0.0.1:${port}`).get('/health/live').expect(200);
    },
    PROCESS_TIMEOUT_MS,
  );

  it(
    'logs readable lines with LOG_FORMAT=pretty, the banner first and a code on a line of its own',
    async () => {
      const port = await freePort();
      const service = start({ PORT: String(port), LOG_FORMAT: 'pretty' });
      await service.started();
      const api = `http://localhost:${port}`;

      const register = await request(api)
        .post('/auth/register')
        .send({ email: uniqueEmail('startup'), password: 'correct horse battery staple' })
        .expect(201);
      await request(api)
        .post('/phone-verification/start')
        .set('Authorization', `Bearer ${register.body.accessToken}`)
        .send({ phoneNumber: '+447400123456' })
        .expect(202);

      // The request line is written once the answer has gone.
      await until(() => /POST \/phone-verification\/start 202/.test(service.output()));
      const output = service.output();
      expect(output).not.toMatch(/^\{/m);
      expect(output).toMatch(new RegExp(`^ +API +${api}$`, 'm'));
      expect(output).toMatch(new RegExp(`^ +Docs +${api}/docs`, 'm'));
      expect(output).toMatch(/^ +Provider +log /m);
      expect(output).toMatch(/▶ verification code for \+44\*{6}456 by sms: \d{6}/);
    },
    PROCESS_TIMEOUT_MS,
  );

  it(
    'stops on a bad value with one line naming the variable, and no stack trace',
    async () => {
      const service = start({ PORT: 'abc', CORS_ORIGINS: 'http://localhost:5173' });

      expect(await service.exited()).toBe(1);
      const lines = service.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Invalid configuration: PORT /);
    },
    PROCESS_TIMEOUT_MS,
  );
});

describe('npm test pre-check', () => {
  it('fails fast with one line naming what is missing', async () => {
    const child = spawn(process.execPath, ['test/check-services.js'], {
      env: {
        PATH: process.env.PATH,
        E2E_POSTGRES_URL: 'postgres://postgres@127.0.0.1:1/postgres',
        E2E_REDIS_URL: 'redis://127.0.0.1:1',
        CHROMIUM_PATH: '/nonexistent/chromium',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const [code] = await once(child, 'exit');

    expect(code).toBe(1);
    const lines = output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/postgres \(ECONNREFUSED\)/);
    expect(lines[0]).toMatch(/Redis at redis:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/);
    expect(lines[0]).toMatch(/Chromium at \/nonexistent\/chromium \(apt-get install -y chromium/);
  });

  it('passes when PostgreSQL and Redis answer and Chromium is installed', async () => {
    const child = spawn(process.execPath, ['test/check-services.js'], { stdio: 'ignore' });

    const [code] = await once(child, 'exit');

    expect(code).toBe(0);
  });
});
