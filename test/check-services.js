#!/usr/bin/env node
// Run by `npm test` before any suite: the e2e suites need a real PostgreSQL and a real Redis, the browser
// tests Chromium. When one is missing, say so in one line, rather than after minutes of failing tests.
'use strict';

const { accessSync, constants } = require('node:fs');
const { Client } = require('pg');
const Redis = require('ioredis');

const POSTGRES_URL = process.env.E2E_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.E2E_REDIS_URL || 'redis://127.0.0.1:6379';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TIMEOUT_MS = 3000;

/** The URL without its password, for the message. */
function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

async function postgresProblem() {
  const client = new Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${redact(POSTGRES_URL)} (${error.code || error.message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisProblem() {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let cause;
  redis.on('error', (error) => (cause = error));
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    const reason = cause || error;
    return `Redis at ${redact(REDIS_URL)} (${reason.code || reason.message})`;
  } finally {
    redis.disconnect();
  }
}

function chromiumProblem() {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return undefined;
  } catch {
    return `Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  }
}

async function main() {
  const databases = (process.env.E2E_DATABASES || 'sqlite,postgres').toLowerCase();
  const needsPostgres = databases.includes('postgres') || databases === 'both';
  const problems = (
    await Promise.all([needsPostgres ? postgresProblem() : undefined, redisProblem(), chromiumProblem()])
  ).filter(Boolean);
  if (problems.length === 0) return 0;
  console.error(
    `npm test needs PostgreSQL and Redis running and Chromium installed; not available: ${problems.join('; ')}. ` +
      'Start them (.ci/run does), or set E2E_POSTGRES_URL / E2E_REDIS_URL / CHROMIUM_PATH.',
  );
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`could not check PostgreSQL and Redis: ${error.message}`);
    process.exit(1);
  },
);
