// `npm run bench` (after the build): the built service beside a bare NestJS + Express app and a raw node:http
// implementation of GET /users/me, on SQLite and on PostgreSQL, driven by autocannon from this process. Prints
// GET /users/me for the three and the ratios, code sends against a local fake provider with latency,
// /users/me and sends during a login storm, peak RSS and start-up time. Talks to 127.0.0.1 only. Ratios within one run are what compare: the machine may be shared.
'use strict';
const autocannon = require('autocannon');
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { cpus, tmpdir, totalmem } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');
const { startFakeProvider } = require('./fake-provider');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 32;
const SEND_CONNECTIONS = 40;
const PROVIDER_LATENCY_MS = 50;
const STORM_RATE = 200;
const PG_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PASSWORD = 'bench password 123';
// Another build of the service to compare with (e.g. the main branch, built), in the same run.
const SERVICE_DIR = process.env.BENCH_SERVICE_DIR;
let nextPort = Number(process.env.BENCH_PORT ?? 3901);

/**
 * autocannon's result, with each 2xx response's own latency beside its histogram. Under a rate (overallRate),
 * autocannon 8 "corrects for coordinated omission" with an expected interval of ceil(1 / rate) ms, one
 * millisecond, where the interval between a connection's requests is 1000 / rate ms: a response that took
 * L ms is counted L times, and its percentiles are those of time weighted by latency, not of requests. The
 * latencies of requests are kept here, and both are printed.
 */
function cannon(options) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const instance = autocannon({ duration: SECONDS, ...options }, (error, result) =>
      error ? reject(error) : resolve({ ...result, latencies }),
    );
    instance.on('response', (_client, statusCode, _bytes, ms) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
    });
  });
}

/**
 * `rate` requests/s over `connections` connections, each connection its own autocannon run at rate / connections
 * per second, their starts spread evenly over one second. autocannon paces a rate by the second: at each tick
 * every connection sends its share back to back, so with one run all the connections' requests arrive at the same
 * instant, once a second. Here they arrive spread across the second, as the requests of independent clients do.
 */
async function spreadCannon(options, { rate, connections }) {
  const perConnection = rate / connections;
  if (!Number.isInteger(perConnection))
    throw new Error(`${rate}/s does not divide over ${connections} connections`);
  const runs = await Promise.all(
    Array.from({ length: connections }, async (_, index) => {
      await new Promise((resolve) => setTimeout(resolve, (index * 1000) / connections));
      return cannon({ ...options, connections: 1, overallRate: perConnection });
    }),
  );
  return {
    requests: { average: runs.reduce((sum, run) => sum + run.requests.average, 0) },
    latencies: runs.flatMap((run) => run.latencies),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    timeouts: runs.reduce((sum, run) => sum + run.timeouts, 0),
  };
}

function percentile(sorted, p) {
  return sorted.length === 0
    ? NaN
    : Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
}

function summary(result) {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  return {
    rps: Math.round(result.requests.average),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    // autocannon's own p99, printed beside the requests' for its paced runs (see `cannon`).
    weightedP99: result.latency?.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** utime + stime of a process, in ms, its peak resident set (VmHWM) and its resident set now (VmRSS), in MB. */
function processStats(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const megabytes = (name) => {
    const kilobytes = new RegExp(`${name}:\\s+(\\d+) kB`).exec(status);
    return kilobytes ? Math.round(Number(kilobytes[1]) / 1024) : NaN;
  };
  return { cpuMs: ticks * 10, peakRssMb: megabytes('VmHWM'), rssMb: megabytes('VmRSS') };
}

/**
 * What `npm start` and the image add to the service's environment when it does not set them (glibc's settings,
 * src/config/process-env.ts), taken from the build measured: the service runs here as it runs for its users.
 */
function launcherEnv() {
  const file = join(SERVICE_DIR ?? process.cwd(), 'dist', 'src', 'config', 'process-env.js');
  return existsSync(file) ? require(file).PROCESS_ENV_DEFAULTS : {};
}

async function startProcess(args, env, cwd, defaults = {}) {
  const port = nextPort++;
  const started = Date.now();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...defaults, ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    if (Date.now() - started > 60_000) throw new Error(`${args.join(' ')} did not start`);
    const ok = await fetch(`${base}/users/me`).then(
      () => true,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const { cpuMs, rssMb } = processStats(child.pid);
  const startup = { wallMs: Date.now() - started, cpuMs, rssMb };
  const stop = () =>
    new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return { base, child, startup, stop };
}

async function call(base, method, path, { body, token } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

async function register(base, index) {
  const email = `bench-${index}-${randomBytes(4).toString('hex')}@example.com`;
  const { accessToken } = await call(base, 'POST', '/auth/register', { body: { email, password: PASSWORD } });
  const phoneNumber = `+447123${String(100000 + index).slice(-6)}`;
  await call(base, 'PUT', '/users/me/phone', { token: accessToken, body: { phoneNumber } });
  return { email, token: accessToken };
}

function roundRobin(tokens) {
  let next = 0;
  return (request) => ({
    ...request,
    headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
  });
}

async function measureService(label, databaseUrl, providerUrl, provider) {
  const service = await startProcess(
    ['dist/src/main.js'],
    {
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      JWT_SECRET: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz',
      DATABASE_URL: databaseUrl,
      THROTTLE_LIMIT: '1000000',
      LOGIN_MAX_FAILURES: '100',
      VERIFY_PROVIDER: 'twilio-v1',
      TWILIO_VERIFY_BASE_URL: providerUrl,
      TWILIO_VERIFY_API_KEY: 'bench-key',
      VERIFY_RESEND_COOLDOWN_SECONDS: '0',
      VERIFY_MAX_SENDS_PER_HOUR: '1000',
      VERIFY_MAX_SENDS_PER_NUMBER_PER_HOUR: '0',
      VERIFY_MAX_SENDS_PER_ADDRESS_PER_HOUR: '0',
      VERIFY_SEND_BUDGET_PER_HOUR: '0',
      VERIFY_PUMPING_GUARD: 'off',
    },
    SERVICE_DIR,
    launcherEnv(),
  );
  try {
    const users = await Promise.all(
      Array.from({ length: SEND_CONNECTIONS }, (_, i) => register(service.base, i)),
    );
    const me = { url: `${service.base}/users/me`, headers: { authorization: `Bearer ${users[0].token}` } };
    const { usersMe, bare, ratio, ratios } = await alternateWithBare(me);
    const rawUsersMe = await measureRaw(databaseUrl, service.base, me.headers);

    const send = {
      url: `${service.base}/phone-verification/start`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      requests: [{ setupRequest: roundRobin(users.map((user) => user.token)) }],
    };
    provider.stats.maxSockets = provider.stats.sockets;
    const sends = summary(await cannon({ ...send, connections: SEND_CONNECTIONS }));
    const sendSockets = provider.stats.maxSockets;

    const login = {
      url: `${service.base}/auth/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: users[1].email, password: PASSWORD }),
    };
    // Enough connections that the rate, not the connections, sets the pace.
    const [storm, meDuringStorm, sendsDuringStorm] = await Promise.all([
      cannon({ ...login, connections: CONNECTIONS }),
      spreadCannon(me, { rate: STORM_RATE, connections: 40 }),
      spreadCannon(send, { rate: 50, connections: 25 }),
    ]);
    // The same load as autocannon paces it alone: each second, every connection's requests at the same instant.
    const [burstStorm, meDuringBurstStorm, sendsDuringBurstStorm] = await Promise.all([
      cannon({ ...login, connections: CONNECTIONS }),
      cannon({ ...me, connections: 40, overallRate: STORM_RATE }),
      cannon({ ...send, connections: 25, overallRate: 50 }),
    ]);
    const stats = processStats(service.child.pid);
    return {
      label,
      startup: service.startup,
      usersMe,
      bare,
      ratio,
      ratios,
      rawUsersMe,
      sends,
      sendSockets,
      storm: summary(storm),
      meDuringStorm: summary(meDuringStorm),
      sendsDuringStorm: summary(sendsDuringStorm),
      burstStorm: summary(burstStorm),
      meDuringBurstStorm: summary(meDuringBurstStorm),
      sendsDuringBurstStorm: summary(sendsDuringBurstStorm),
      peakRssMb: stats.peakRssMb,
    };
  } finally {
    await service.stop();
  }
}

/** The raw node:http floor (bench/raw-app.js), on the service's database, with the service's token. */
async function measureRaw(databaseUrl, serviceBase, headers) {
  const raw = await startProcess(['bench/raw-app.js'], {
    DATABASE_URL: databaseUrl,
    JWKS_URL: `${serviceBase}/.well-known/jwks.json`,
  });
  try {
    return summary(await cannon({ url: `${raw.base}/users/me`, headers, connections: CONNECTIONS }));
  } finally {
    await raw.stop();
  }
}

/**
 * `GET /users/me` of the service and of the bare app, measured in turns (bare, service, three times, a third of
 * BENCH_SECONDS each): on a shared VM the machine's speed drifts within a minute, and a ratio of two
 * measurements taken apart measures the drift too. Answers the median pair by ratio, and every pair's ratio.
 */
async function alternateWithBare(me) {
  const bareApp = await startProcess(['bench/bare-app.js'], {});
  try {
    // Warm both up first: the service's first second otherwise runs code V8 has not optimised yet.
    await cannon({ url: `${bareApp.base}/users/me`, connections: CONNECTIONS, duration: 1 });
    await cannon({ ...me, connections: CONNECTIONS, duration: 1 });
    const pairs = [];
    for (let turn = 0; turn < 3; turn++) {
      const duration = Math.max(1, Math.round(SECONDS / 3));
      const bare = summary(
        await cannon({ url: `${bareApp.base}/users/me`, connections: CONNECTIONS, duration }),
      );
      const usersMe = summary(await cannon({ ...me, connections: CONNECTIONS, duration }));
      pairs.push({ bare, usersMe, ratio: usersMe.rps / bare.rps });
    }
    const ratios = pairs.map((pair) => pair.ratio).sort((a, b) => a - b);
    const median = pairs.find((pair) => pair.ratio === ratios[1]);
    return { ...median, ratios };
  } finally {
    await bareApp.stop();
  }
}

async function withPostgresDatabase(run) {
  const name = `identity_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    console.log(`PostgreSQL not reachable at ${PG_ADMIN_URL} (${error.message}): skipped`);
    return undefined;
  }
  await admin.query(`CREATE DATABASE "${name}"`);
  try {
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    return await run(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

function print(result) {
  const { bare } = result;
  const ms = (value) => `${value} ms`.padStart(7);
  const line = (name, s) =>
    console.log(
      `  ${name.padEnd(44)} ${String(s.rps).padStart(6)} req/s   p50 ${ms(s.p50)}   p99 ${ms(s.p99)}   failures ${s.failures}`,
    );
  console.log(`\n== ${result.label}`);
  line('bare Nest + Express GET /users/me', bare);
  line('service GET /users/me (token, user read, log)', result.usersMe);
  console.log(
    `  ratio service / bare: ${result.ratio.toFixed(2)}  (target >= 0.5); ` +
      `the median of three turns, each ${result.ratios.map((ratio) => ratio.toFixed(2)).join(', ')}`,
  );
  line('raw node:http GET /users/me (token, user read)', result.rawUsersMe);
  console.log(`  ratio service / raw: ${(result.usersMe.rps / result.rawUsersMe.rps).toFixed(2)}`);
  line(`start, ${PROVIDER_LATENCY_MS} ms provider, ${SEND_CONNECTIONS} connections`, result.sends);
  const ideal = SEND_CONNECTIONS / (PROVIDER_LATENCY_MS / 1000);
  console.log(
    `  sends / ideal (${ideal}/s): ${(result.sends.rps / ideal).toFixed(2)}  (target >= 0.6); provider sockets at most ${result.sendSockets} (<= 64)`,
  );
  line('login storm (32 connections)', result.storm);
  line(`  GET /users/me at ${STORM_RATE}/s during the storm`, result.meDuringStorm);
  line('  start at 50/s during the storm', result.sendsDuringStorm);
  console.log(`    p99 of /users/me target < 50 ms; requests of each connection spread across the second`);
  line('login storm again (32 connections)', result.burstStorm);
  line(`  GET /users/me at ${STORM_RATE}/s, in bursts`, result.meDuringBurstStorm);
  line('  start at 50/s, in bursts', result.sendsDuringBurstStorm);
  console.log(
    `    each second's requests of all connections at one instant; autocannon's latency-weighted p99: ${result.meDuringBurstStorm.weightedP99} ms, ${result.sendsDuringBurstStorm.weightedP99} ms`,
  );
  console.log(`  peak RSS ${result.peakRssMb} MB (<= 320); ${result.startup.rssMb} MB after start-up`);
  console.log(
    `  start-up: ${result.startup.wallMs} ms to the first answer, ${result.startup.cpuMs} ms of CPU (target < 1500 ms)`,
  );
}

async function main() {
  console.log(
    `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ` +
      `${SECONDS} s per measurement, load average ${require('node:os')
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  const defaults = Object.entries(launcherEnv()).map(([name, value]) => `${name}=${value}`);
  if (defaults.length > 0)
    console.log(`service environment as npm start and the image give it: ${defaults.join(' ')}`);
  const provider = await startFakeProvider(PROVIDER_LATENCY_MS);
  const dir = mkdtempSync(join(tmpdir(), 'identity-bench-'));
  try {
    const databases = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',');
    if (databases.includes('sqlite')) {
      print(await measureService('SQLite', `sqlite:${join(dir, 'bench.sqlite')}`, provider.url, provider));
    }
    if (databases.includes('postgres')) {
      await withPostgresDatabase(async (url) => {
        print(await measureService('PostgreSQL', url, provider.url, provider));
      });
    }
  } finally {
    await provider.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
