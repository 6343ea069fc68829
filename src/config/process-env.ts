/**
 * Settings that the C library reads once, when the process starts, before any of the service's code runs: the
 * service cannot give them to itself, so what starts it does (`npm start`, the Dockerfile, the benchmark).
 * A value the operator sets wins.
 *
 * `MALLOC_ARENA_MAX=2`: every argon2 hash takes 19 MiB from glibc's malloc, on whichever thread of libuv's pool
 * runs it. glibc gives each thread an arena of its own and keeps what is freed there, so after a login storm
 * every thread of the pool held about 19 MiB (peak RSS ~50 MB higher). With two arenas the threads share them.
 */
export const PROCESS_ENV_DEFAULTS: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** The names of the defaults that `env` does not set (an empty value counts as set). */
export function missingProcessEnv(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(PROCESS_ENV_DEFAULTS).filter((name) => env[name] === undefined);
}

/** `env` with every default it does not set. */
export function withProcessEnvDefaults(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...PROCESS_ENV_DEFAULTS, ...env };
}
