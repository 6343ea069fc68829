import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import request from 'supertest';
import { FakeVerifyV1Server } from './fakes/fake-verify-v1.server';
import { E2E_DATABASE_URL, removeSqliteFile, tempSqliteFile, uniqueEmail } from './utils/test-app';
import { freePort, until } from './utils/service-process';
import { uniqueMobile } from './utils/verification-providers';

// Values that must never appear in the service's output.
const SENTINELS = {
  jwtSecret: 'sentinel-jwt-secret-4f1d2c3b5a69788796a5b4c3',
  apiKey: 'sentinel-authy-key-9e8d7c6b',
  password: 'sentinel-password-1a2b3c',
  wrongPassword: 'sentinel-wrong-password-4d5e6f',
};

describe('the service as a process: logs and graceful shutdown', () => {
  let fake: FakeVerifyV1Server;
  let service: ChildProcess;
  let output = '';
  let sqliteFile: string | undefined;
  let api: string;

  beforeAll(async () => {
    fake = await FakeVerifyV1Server.start({ apiKey: SENTINELS.apiKey });
    sqliteFile = E2E_DATABASE_URL ? undefined : tempSqliteFile();
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    service = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'development',
        PORT: String(port),
        LOG_LEVEL: 'debug',
        DATABASE_URL: E2E_DATABASE_URL ?? `sqlite:${sqliteFile}`,
        JWT_SECRET: SENTINELS.jwtSecret,
        VERIFY_PROVIDER: 'twilio-v1',
        TWILIO_VERIFY_BASE_URL: fake.baseUrl,
        TWILIO_VERIFY_API_KEY: SENTINELS.apiKey,
        VERIFY_TIMEOUT_MS: '1500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    service.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    service.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(() => output.includes('listening on port') || service.exitCode !== null);
    expect(service.exitCode).toBeNull();
  });

  afterAll(async () => {
    if (service.exitCode === null) {
      service.kill('SIGKILL');
      await once(service, 'exit');
    }
    await fake.close();
    if (sqliteFile) removeSqliteFile(sqliteFile);
  });

  it('serves a whole journey, logs it without secrets, and finishes requests in flight on SIGTERM', async () => {
    await request(api).get('/health').expect(200);
    const email = uniqueEmail('process');
    const phone = uniqueMobile();
    const other = uniqueMobile();

    const registered = await request(api)
      .post('/auth/register')
      .send({ email, password: SENTINELS.password })
      .expect(201);
    await request(api).post('/auth/login').send({ email, password: SENTINELS.wrongPassword }).expect(401);
    const login = await request(api)
      .post('/auth/login')
      .send({ email, password: SENTINELS.password })
      .expect(200);
    const authorization = { Authorization: `Bearer ${login.body.accessToken}` };
    await request(api)
      .post('/phone-verification/start')
      .set(authorization)
      .send({ phoneNumber: phone.e164 })
      .expect(202);
    const code = fake.lastCodeFor(phone.countryCode, phone.nationalNumber)!;
    await request(api)
      .post('/phone-verification/check')
      .set(authorization)
      .send({ code: '0000' })
      .expect(400);
    const confirmed = await request(api)
      .post('/phone-verification/check')
      .set(authorization)
      .send({ code })
      .expect(200);

    // A second user's check hangs at the provider while the service is told to stop.
    const second = await request(api)
      .post('/auth/register')
      .send({ email: uniqueEmail('process'), password: SENTINELS.password })
      .expect(201);
    const secondAuth = { Authorization: `Bearer ${second.body.accessToken}` };
    await request(api)
      .post('/phone-verification/start')
      .set(secondAuth)
      .send({ phoneNumber: other.e164 })
      .expect(202);
    fake.failNext('hang');
    const checksBefore = fake.checkRequests;
    const inFlight = request(api)
      .post('/phone-verification/check')
      .set(secondAuth)
      .send({ code: '123456' })
      .then((response) => response);
    await until(() => fake.checkRequests > checksBefore);
    const exited = once(service, 'exit');
    service.kill('SIGTERM');

    const answer = await inFlight;
    expect(answer.status).toBe(504);
    expect(answer.body.code).toBe('VERIFY_PROVIDER_TIMEOUT');
    const [exitCode] = await exited;
    expect(exitCode).toBe(0);

    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => line.msg === 'request completed' && typeof line.reqId === 'string')).toBe(
      true,
    );
    expect(
      lines.some((line) => (line.msg as { event?: string })?.event === 'login' || line.event === 'login'),
    ).toBe(true);
    const secrets = [
      ...Object.values(SENTINELS),
      code,
      registered.body.accessToken,
      login.body.accessToken,
      confirmed.body.accessToken,
      phone.e164,
      phone.nationalNumber,
      other.nationalNumber,
    ];
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).toContain(`+44******${phone.nationalNumber.slice(-3)}`);
  });
});
