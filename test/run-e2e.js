#!/usr/bin/env node
// Runs the e2e suite on SQLite and on PostgreSQL (a fresh database, dropped afterwards).
// Extra arguments go to jest: `npm run test:e2e -- health`. E2E_DATABASES=sqlite|postgres runs only one.
'use strict';

const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const path = require('node:path');
const { Client } = require('pg');

const ROOT = path.resolve(__dirname, '..');
const JEST = require.resolve('jest/bin/jest');
const ADMIN_URL = process.env.E2E_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const KNOWN = ['sqlite', 'postgres'];

function selectedDatabases() {
  const value = (process.env.E2E_DATABASES || 'sqlite,postgres').toLowerCase();
  const selected = value === 'both' ? KNOWN : value.split(',').map((name) => name.trim());
  const unknown = selected.filter((name) => !KNOWN.includes(name));
  if (unknown.length > 0 || selected.length === 0) {
    throw new Error(`E2E_DATABASES must be sqlite, postgres or both (got "${process.env.E2E_DATABASES}")`);
  }
  return KNOWN.filter((name) => selected.includes(name));
}

/** The URL without its password, for messages. */
function redact(url) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function runJest(label, env) {
  console.log(`\n=== e2e on ${label} ===\n`);
  return new Promise((resolve) => {
    const args = [JEST, '--config', 'test/jest-e2e.config.js', '--runInBand', ...process.argv.slice(2)];
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'inherit' });
    // Ctrl-C reaches jest too; wait for it so the database is still dropped.
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    process.on('SIGTERM', ignore);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', ignore);
      resolve(code ?? (signal ? 1 : 0));
    });
    child.on('error', (error) => {
      console.error(`could not start jest: ${error.message}`);
      resolve(1);
    });
  });
}

async function adminQuery(sql) {
  const client = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${redact(ADMIN_URL)} (${error.message}). Start it (see .ci/run), ` +
        'point E2E_POSTGRES_URL at a server, or run only SQLite with E2E_DATABASES=sqlite.',
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function runSqlite() {
  const env = { ...process.env };
  delete env.E2E_DATABASE_URL;
  return runJest('sqlite', env);
}

async function runPostgres() {
  const name = `identity_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  try {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    return await runJest(`postgres (database ${name})`, { ...process.env, E2E_DATABASE_URL: url.toString() });
  } finally {
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch((error) =>
      console.error(`could not drop database ${name}: ${error.message}`),
    );
  }
}

async function main() {
  const runs = { sqlite: runSqlite, postgres: runPostgres };
  const results = [];
  for (const database of selectedDatabases()) {
    let code;
    try {
      code = await runs[database]();
    } catch (error) {
      console.error(`\ne2e on ${database} could not run: ${error.message}`);
      code = 1;
    }
    results.push({ database, code });
  }
  console.log('');
  for (const { database, code } of results)
    console.log(`e2e on ${database}: ${code === 0 ? 'passed' : 'FAILED'}`);
  return results.every(({ code }) => code === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error.message);
    process.exit(1);
  },
);
