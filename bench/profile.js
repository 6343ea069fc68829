// `npm run bench:profile` (after the build): where the time of one GET /users/me goes. Starts the built service
// with `node --cpu-prof`, registers a user, drives the route with autocannon, stops the service and prints the
// sampled CPU time per request, grouped by what spent it. BENCH_SECONDS sets the load's length; the database is a
// new SQLite file, or BENCH_DATABASE_URL (an empty PostgreSQL database, say).
'use strict';
const autocannon = require('autocannon');
const { spawn } = require('node:child_process');
const { mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PORT = Number(process.env.BENCH_PORT ?? 3951);

/** What spent a sample, from its function and script. The first rule that matches wins. */
const GROUPS = [
  ['garbage collection', (fn) => fn === '(garbage collector)'],
  ['idle (the process waited)', (fn) => fn === '(idle)'],
  ['socket writes', (fn, url) => fn === 'writev' || url.includes('stream_base_commons')],
  [
    'start-up (module loading)',
    (fn, url) =>
      /internal\/modules\/|bootstrap\/realm/.test(url) ||
      /^(readFileUtf8|internalModuleStat|lstat)$/.test(fn),
  ],
  ['logging', (fn, url, pkg) => /pino|redact|sonic-boom/.test(pkg) || url.includes('/common/logging/')],
  [
    'database (TypeORM, driver, SQL)',
    (fn, url, pkg) => /^(typeorm|better-sqlite3|pg|pg-.*)$/.test(pkg) || url.includes('/dist/src/database/'),
  ],
  [
    'token check (jose, authenticator, guard)',
    (fn, url, pkg) => /passport|jose/.test(pkg) || url.includes('/dist/src/auth/'),
  ],
  [
    'request limit (throttler)',
    (fn, url, pkg) =>
      pkg === '@nestjs/throttler' || url.includes('crypto/hash') || url.includes('/rate-limit/'),
  ],
  ['metrics', (fn, url, pkg) => pkg === 'prom-client' || url.includes('/dist/src/metrics/')],
  [
    'Express, router, helmet, CORS',
    (fn, url, pkg) =>
      /^(express|router|body-parser|parseurl|path-to-regexp|content-type|finalhandler|send|serve-static|cors|helmet|vary|on-finished|forwarded|proxy-addr|qs|type-is|mime-types|@nestjs\/platform-express)$/.test(
        pkg,
      ),
  ],
  [
    'Nest core, pipes, reflection',
    (fn, url, pkg) =>
      /^(@nestjs\/core|@nestjs\/common|reflect-metadata|rxjs|class-validator|class-transformer)$/.test(pkg),
  ],
  ['async hooks (AsyncLocalStorage)', (fn, url) => url.includes('async_hooks')],
  ["Node's HTTP server, streams, event loop", (fn, url) => /^node:/.test(url) || fn === 'runMicrotasks'],
  ['service code (other)', (fn, url) => url.includes('/dist/src/')],
  ['other', () => true],
];

function groupOf({ functionName, url }) {
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? '';
  return GROUPS.find(([, test]) => test(functionName, url, pkg))[0];
}

/** Microseconds of sampled time per group, from a .cpuprofile. */
function timeByGroup(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byGroup = new Map();
  profile.samples.forEach((id, index) => {
    const group = groupOf(nodes.get(id).callFrame);
    byGroup.set(group, (byGroup.get(group) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  return byGroup;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'identity-profile-'));
  const service = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, 'dist/src/main.js'], {
    env: {
      ...process.env,
      PORT: String(PORT),
      NODE_ENV: 'development',
      LOG_FORMAT: 'json',
      DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `sqlite:${join(dir, 'profile.sqlite')}`,
      THROTTLE_LIMIT: '1000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${PORT}`;
  try {
    for (
      let tries = 0;
      !(await fetch(`${base}/health/live`).then(
        (r) => r.ok,
        () => false,
      ));
      tries++
    ) {
      if (tries > 3000) throw new Error('the service did not start');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const registered = await fetch(`${base}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'profile@example.com', password: 'profile password 123' }),
    });
    const { accessToken } = await registered.json();
    const result = await autocannon({
      url: `${base}/users/me`,
      headers: { authorization: `Bearer ${accessToken}` },
      connections: 32,
      duration: SECONDS,
    });
    await new Promise((resolve) => {
      service.once('exit', resolve);
      service.kill('SIGTERM');
    });
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    const byGroup = timeByGroup(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    const requests = result.requests.total;
    console.log(
      `GET /users/me: ${requests} requests in ${SECONDS} s (${Math.round(result.requests.average)}/s), 32 connections`,
    );
    console.log('sampled time per request, start-up included in its own line:');
    for (const [group, us] of [...byGroup].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${group.padEnd(44)} ${(us / requests).toFixed(1).padStart(7)} µs`);
    }
    const busy = [...byGroup]
      .filter(([group]) => !/^(idle|start-up)/.test(group))
      .reduce((sum, [, us]) => sum + us, 0);
    console.log(
      `  ${'busy, without start-up and idle'.padEnd(44)} ${(busy / requests).toFixed(1).padStart(7)} µs`,
    );
  } finally {
    service.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
