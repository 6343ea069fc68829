import { readdirSync, stat } from 'node:fs';
import { availableParallelism, setPriority } from 'node:os';

/** libuv's default, when UV_THREADPOOL_SIZE is unset. */
const LIBUV_DEFAULT = 4;
/** Threads kept free of password hashing, for DNS lookups, file work and the rest of crypto. */
export const RESERVED_THREADS = 2;

/** The size libuv gives its thread pool, from UV_THREADPOOL_SIZE as libuv reads it. */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const size = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : LIBUV_DEFAULT;
}

/** The pool the service asks for when UV_THREADPOOL_SIZE is unset: room for the hashes plus the reserved threads. */
export function preferredThreadPoolSize(cores: number): number {
  return Math.max(LIBUV_DEFAULT, cores - 1 + RESERVED_THREADS);
}

/**
 * Hashes at once: one per core but one, so that a login storm leaves a core to the event loop (every other
 * route), and never so many that the reserved threads are taken. At least one.
 */
export function hashConcurrency(cores: number, poolSize: number): number {
  return Math.max(1, Math.min(cores - 1, poolSize - RESERVED_THREADS));
}

/**
 * Sizes libuv's pool unless the operator did. libuv reads UV_THREADPOOL_SIZE once, when the pool is first used:
 * main.ts calls this before anything else runs.
 */
export function sizeThreadPool(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): void {
  if (env.UV_THREADPOOL_SIZE === undefined || env.UV_THREADPOOL_SIZE === '') {
    env.UV_THREADPOOL_SIZE = String(preferredThreadPoolSize(cores));
  }
}

/**
 * Niceness of libuv's pool threads on Linux (the event loop keeps 0). When a hash and the event loop compete for
 * a core, the event loop, which answers every request, goes first; a core the event loop leaves idle is the
 * hash's as before. 10 rather than 19: under sustained contention a hash still gets about a tenth of a core, so
 * logins slow down instead of stalling.
 */
export const POOL_THREAD_NICENESS = 10;

/** The ids of the threads listed in `after` and not in `before`. */
export function startedThreads(before: readonly string[], after: readonly string[]): number[] {
  const known = new Set(before);
  return after.filter((id) => !known.has(id)).map(Number);
}

/**
 * Starts libuv's pool now and lowers the priority of its threads. On Linux a thread's niceness is its own and
 * `os.setPriority` takes a thread id; libuv starts every thread of its pool within the first call that needs
 * one, before that call returns, so the threads that appear across it are the pool's. Does nothing on other
 * systems, or when the pool already runs. main.ts calls this right after `sizeThreadPool`.
 */
export function startPoolAtLowPriority(): void {
  if (process.platform !== 'linux') return;
  const threads = () => readdirSync('/proc/self/task');
  const before = threads();
  stat(__filename, () => undefined);
  for (const id of startedThreads(before, threads())) {
    try {
      setPriority(id, POOL_THREAD_NICENESS);
    } catch {
      // Lowering a priority needs no privilege: only a thread that already ended refuses.
    }
  }
}
