// Throughput and latency of the hot routes, against a local instance started here (built dist/, SQLite or
// BENCH_DATABASE_URL). Bounded in requests and time; talks to 127.0.0.1 only.
'use strict';
const { spawn } = require('node:child_process');
const http = require('node:http');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const PORT = Number(process.env.BENCH_PORT ?? 3901);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function call(method, path, { body, token } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body ? JSON.stringify(body) : undefined;
    const headers = {};
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    if (token) headers.authorization = `Bearer ${token}`;
    const request = http.request({ host: '127.0.0.1', port: PORT, method, path, headers, agent }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode, body: text ? JSON.parse(text) : undefined }));
    });
    request.setTimeout(10_000, () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end(payload);
  });
}

async function load(name, total, connections, makeRequest) {
  const latencies = [];
  let next = 0;
  let failures = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < total) {
        next += 1;
        const t0 = process.hrtime.bigint();
        const { status } = await makeRequest();
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (status >= 400) failures += 1;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(1);
  const result = { name, requests: total, failures, rps: Math.round(total / seconds), p50: pct(0.5), p99: pct(0.99) };
  console.log(`${name.padEnd(34)} ${String(result.rps).padStart(7)} req/s   p50 ${result.p50} ms   p99 ${result.p99} ms   failures ${failures}`);
  return result;
}

async function waitForHealth(deadline) {
  while (Date.now() < deadline) {
    try {
      if ((await call('GET', '/health')).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the service did not become healthy');
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'identity-bench-'));
  const service = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      PORT: String(PORT),
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      JWT_SECRET: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz',
      DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `sqlite:${join(dir, 'bench.sqlite')}`,
      THROTTLE_LIMIT: '1000000',
      LOGIN_MAX_FAILURES: '100',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitForHealth(Date.now() + 30_000);
    const email = `bench-${Date.now()}@example.com`;
    const password = 'bench password 123';
    const { body } = await call('POST', '/auth/register', { body: { email, password } });
    const token = body.accessToken;
    await call('PUT', '/users/me/phone', { token, body: { phoneNumber: '+447123456789' } });

    console.log(`${CONNECTIONS} connections, ${REQUESTS} requests per route\n`);
    await load('GET /health/live', REQUESTS, CONNECTIONS, () => call('GET', '/health/live'));
    await load('GET /users/me (token + user lookup)', REQUESTS, CONNECTIONS, () => call('GET', '/users/me', { token }));
    await load('GET /phone-verification/status', REQUESTS, CONNECTIONS, () =>
      call('GET', '/phone-verification/status', { token }),
    );
    const logins = Math.max(50, Math.round(REQUESTS / 50));
    await load('POST /auth/login (argon2id)', logins, CONNECTIONS, () => call('POST', '/auth/login', { body: { email, password } }));

    // A login storm must not starve the other routes: /users/me latency while logins queue for the hasher.
    const storm = load('  login storm (background)', logins, CONNECTIONS, () =>
      call('POST', '/auth/login', { body: { email, password } }),
    );
    await load('  GET /users/me during the storm', Math.round(REQUESTS / 5), 4, () => call('GET', '/users/me', { token }));
    await storm;
  } finally {
    service.kill('SIGTERM');
    await new Promise((resolve) => service.once('exit', resolve));
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
