import { availableParallelism } from 'node:os';

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
