import { readdirSync, readFileSync } from 'node:fs';
import request from 'supertest';
import { POOL_THREAD_NICENESS } from '../src/config/thread-pool';
import { freePort, ServiceProcess, spawnService } from './utils/service-process';
import { DATABASE_LABEL, E2E_DATABASE_URL, removeSqliteFile, tempSqliteFile } from './utils/test-app';

// The service starts under ts-node: on a busy machine that takes longer than the default timeout.
const PROCESS_TIMEOUT_MS = 120_000;

/** The niceness of every thread of a process, by thread id (Linux: field 19 of /proc/<pid>/task/<tid>/stat). */
function niceness(pid: number): Map<number, number> {
  const threads = readdirSync(`/proc/${pid}/task`);
  return new Map(
    threads.map((tid) => {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      return [Number(tid), Number(fields[16])];
    }),
  );
}

describe(`libuv's pool at a lower priority than the event loop (${DATABASE_LABEL})`, () => {
  const sqliteFile = tempSqliteFile();
  let service: ServiceProcess;

  afterAll(async () => {
    await service?.kill();
    removeSqliteFile(sqliteFile);
  });

  it(
    'runs the pool threads nicer than the main thread, and logins still work',
    async () => {
      const port = await freePort();
      service = spawnService({
        NODE_ENV: 'development',
        DATABASE_URL: E2E_DATABASE_URL ?? `sqlite:${sqliteFile}`,
        JWT_SECRET: 'thread-pool-e2e-secret-0123456789abcdefghij',
        PORT: String(port),
        HOST: '127.0.0.1',
      });
      await service.started();
      const pid = service.child.pid!;
      const threads = niceness(pid);

      expect(threads.get(pid)).toBe(0);
      const pool = [...threads.values()].filter((value) => value === POOL_THREAD_NICENESS);
      // libuv's pool: UV_THREADPOOL_SIZE threads, at least 4 (src/config/thread-pool.ts).
      expect(pool.length).toBeGreaterThanOrEqual(4);

      const http = request(`http://127.0.0.1:${port}`);
      const credentials = { email: `pool-${Date.now()}@example.com`, password: 'correct horse battery' };
      await http.post('/auth/register').send(credentials).expect(201);
      await http.post('/auth/login').send(credentials).expect(200);
    },
    PROCESS_TIMEOUT_MS,
  );
});
