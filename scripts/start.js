#!/usr/bin/env node
// `npm start`: runs the built service (dist/). It builds first only when dist/ is missing or older than its
// sources, under a lock, so that instances started together from one checkout never build over each other
// and an up-to-date checkout starts without building. `npm run start:dev` is the watcher.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const { constants } = require('node:os');
const { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');
const WEB = path.join(ROOT, 'dist', 'web');
const LOCK = path.join(ROOT, '.build.lock');
// What `npm run build` turns into dist/ (specs are not built).
const INPUTS = ['src', 'web', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', '.swcrc'];
const LOCK_STALE_MS = 5 * 60_000;

function newestSource(entry) {
  const full = path.join(ROOT, entry);
  if (!existsSync(full)) return 0;
  const stats = statSync(full);
  if (!stats.isDirectory()) return entry.endsWith('.spec.ts') ? 0 : stats.mtimeMs;
  return Math.max(0, ...readdirSync(full).map((name) => newestSource(path.join(entry, name))));
}

function isStale() {
  return !existsSync(MAIN) || !existsSync(WEB) || INPUTS.some((entry) => newestSource(entry) > statSync(MAIN).mtimeMs);
}

function tryLock() {
  try {
    mkdirSync(LOCK);
    return true;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    // A builder that died leaves its lock behind.
    if (Date.now() - statSync(LOCK).mtimeMs > LOCK_STALE_MS) rmdirSync(LOCK);
    return false;
  }
}

function buildIfStale() {
  while (isStale()) {
    if (!tryLock()) {
      // Another `npm start` is building: wait for it, then look again.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      continue;
    }
    try {
      if (!isStale()) return;
      console.error('dist/ is missing or older than the sources: building once (npm run build)');
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const { status } = spawnSync(npm, ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
      if (status !== 0) process.exit(status ?? 1);
    } finally {
      rmdirSync(LOCK);
    }
  }
}

/**
 * glibc reads MALLOC_ARENA_MAX (src/config/process-env.ts) only when a process starts: without it in the
 * environment, the service runs in a child process that starts with it; this one passes signals on and ends as
 * the child ends.
 */
function runWithProcessEnv() {
  const processEnv = path.join(ROOT, 'dist', 'src', 'config', 'process-env.js');
  const { missingProcessEnv, withProcessEnvDefaults } = require(processEnv);
  if (process.platform !== 'linux' || missingProcessEnv(process.env).length === 0) {
    require(MAIN);
    return;
  }
  const child = spawn(process.execPath, [...process.execArgv, MAIN], {
    env: withProcessEnvDefaults(process.env),
    stdio: 'inherit',
  });
  // A terminal's Ctrl-C reaches both processes; the service stops once whatever it receives first.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}

buildIfStale();
runWithProcessEnv();
