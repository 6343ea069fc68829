import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  createTestApp,
  DATABASE_LABEL,
  registerUser,
  RegisteredUser,
  removeSqliteFile,
  TestApp,
  tempSqliteFile,
  uniqueEmail,
} from './utils/test-app';
import { PausableProxy, ThrowawayPostgres } from './utils/throwaway-postgres';
import { uniqueMobile } from './utils/verification-providers';

/** The documented bound: with the default DATABASE_TIMEOUT_MS, a request whose database hangs is answered by then. */
const BOUND_MS = 5000;

interface Timed {
  status: number;
  code?: string;
  ms: number;
}

async function timed(send: () => PromiseLike<{ status: number; body: { code?: string } }>): Promise<Timed> {
  const started = Date.now();
  const response = await send();
  return { status: response.status, code: response.body?.code, ms: Date.now() - started };
}

const UNAVAILABLE = { status: 503, code: 'SERVICE_UNAVAILABLE' };

async function countUsers(dataSource: DataSource): Promise<number> {
  const [{ count }] = (await dataSource.query('SELECT count(*) AS count FROM users')) as [{ count: string }];
  return Number(count);
}

if (DATABASE_LABEL === 'postgres') {
  describe('a PostgreSQL that stops answering (a partition, a frozen server)', () => {
    let postgres: ThrowawayPostgres;
    let proxy: PausableProxy;
    let testApp: TestApp;
    let user: RegisteredUser;

    beforeAll(async () => {
      postgres = await ThrowawayPostgres.start();
      proxy = await PausableProxy.start(postgres.port);
      testApp = await createTestApp({ env: { DATABASE_URL: postgres.url(proxy.port) } });
      user = await registerUser(testApp);
    }, 60_000);

    afterAll(async () => {
      proxy?.resume();
      await testApp?.close();
      await proxy?.close();
      await postgres?.stop();
    });

    it(`answers 503 on every route family within ${BOUND_MS} ms, never 401 for a valid token, and recovers`, async () => {
      proxy.pause();
      const http = testApp.http;
      const bearer = `Bearer ${user.accessToken}`;

      const health = await timed(() => http().get('/health'));
      const answers = await Promise.all([
        timed(() => http().get('/users/me').set('Authorization', bearer)),
        timed(() => http().post('/auth/login').send({ email: user.email, password: user.password })),
        timed(() =>
          http().post('/auth/register').send({ email: uniqueEmail(), password: 'a-long-password' }),
        ),
        timed(() =>
          http()
            .put('/users/me/phone')
            .set('Authorization', bearer)
            .send({ phoneNumber: uniqueMobile().e164 }),
        ),
        timed(() => http().post('/phone-verification/start').set('Authorization', bearer).send({})),
        timed(() => http().get('/phone-verification/status').set('Authorization', bearer)),
      ]);
      const healthAfterwards = await timed(() => http().get('/health'));

      expect(health.status).toBe(503);
      for (const answer of answers) {
        expect(answer).toMatchObject(UNAVAILABLE);
        expect(answer.ms).toBeLessThan(BOUND_MS);
      }
      // Once a request has seen the database not answer, readiness says so without waiting for a ping.
      expect(healthAfterwards.status).toBe(503);
      expect(healthAfterwards.ms).toBeLessThan(1000);

      proxy.resume();
      const me = await http().get('/users/me').set('Authorization', bearer);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: user.user.id });
      expect((await http().get('/health')).status).toBe(200);
      expect(
        (await http().post('/auth/login').send({ email: user.email, password: user.password })).status,
      ).toBe(200);
    }, 30_000);

    it('answers 503 when a statement outlives statement_timeout (57014), e.g. behind a lock', async () => {
      const other = new Client({ connectionString: postgres.url() });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.user.id]);

        const answer = await timed(() =>
          testApp
            .http()
            .put('/users/me/phone')
            .set('Authorization', `Bearer ${user.accessToken}`)
            .send({ phoneNumber: uniqueMobile().e164 }),
        );

        expect(answer).toMatchObject(UNAVAILABLE);
        expect(answer.ms).toBeLessThan(BOUND_MS);
      } finally {
        await other.query('ROLLBACK');
        await other.end();
      }
      expect(
        (await testApp.http().get('/users/me').set('Authorization', `Bearer ${user.accessToken}`)).status,
      ).toBe(200);
    }, 30_000);
  });
} else {
  describe('SQLite shared with another process', () => {
    let file: string;
    let testApp: TestApp;

    beforeAll(async () => {
      file = tempSqliteFile();
      testApp = await createTestApp({ sqliteFile: file, env: { DATABASE_TIMEOUT_MS: '1000' } });
    });

    afterAll(async () => {
      await testApp?.close();
      removeSqliteFile(file);
    });

    /** A second process on the same file: BEGIN IMMEDIATE transactions with a busy timeout, like the app's. */
    function otherProcess(script: string): ChildProcess {
      const prelude = `const db = new (require('better-sqlite3'))(${JSON.stringify(file)}, { timeout: 5000 });`;
      return spawn(process.execPath, ['-e', prelude + script], { stdio: ['pipe', 'pipe', 'inherit'] });
    }

    it('both processes write to the file at the same time, and every write lands', async () => {
      // The other process writes until told to stop, then prints how many rows it wrote.
      const writer = otherProcess(`
        const insert = db.prepare("INSERT INTO users (id, email, password_hash) VALUES (?, ?, 'x')");
        const { randomUUID } = require('node:crypto');
        let written = 0;
        let stop = false;
        process.stdin.once('data', () => (stop = true));
        (function write() {
          if (stop) return process.stdout.write(written + '\\n', () => process.exit(0));
          db.exec('BEGIN IMMEDIATE');
          insert.run(randomUUID(), 'other-' + written + '-' + process.pid + '@example.com');
          db.exec('COMMIT');
          written += 1;
          setImmediate(write);
        })();
      `);
      const dataSource = testApp.app.get(DataSource);
      const before = await countUsers(dataSource);

      const registered = await Promise.all(Array.from({ length: 20 }, () => registerUser(testApp)));
      const output = once(writer.stdout!, 'data');
      writer.stdin!.write('stop\n');
      const written = Number(String((await output)[0]).trim());
      await once(writer, 'exit');

      expect(written).toBeGreaterThan(0);
      expect(await countUsers(dataSource)).toBe(before + written + registered.length);
    });

    it('a write waits for the other process holding the lock; past DATABASE_TIMEOUT_MS it is 503, reads still serve', async () => {
      const user = await registerUser(testApp);
      const holder = otherProcess(`
        db.exec('BEGIN IMMEDIATE');
        process.stdout.write('locked\\n');
        process.stdin.once('data', () => { db.exec('COMMIT'); process.exit(0); });
      `);
      await once(holder.stdout!, 'data');

      const blocked = await testApp
        .http()
        .post('/auth/register')
        .send({ email: uniqueEmail(), password: 'a-long-password' });
      const read = await testApp.http().get('/users/me').set('Authorization', `Bearer ${user.accessToken}`);
      const waiting = testApp
        .http()
        .post('/auth/register')
        .send({ email: uniqueEmail(), password: 'a-long-password' })
        .then((response) => response);
      holder.stdin!.write('go\n');
      await once(holder, 'exit');

      expect(blocked.status).toBe(503);
      expect(blocked.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(read.status).toBe(200);
      expect((await waiting).status).toBe(201);
    });
  });
}
