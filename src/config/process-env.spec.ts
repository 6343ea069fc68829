import { missingProcessEnv, PROCESS_ENV_DEFAULTS, withProcessEnvDefaults } from './process-env';

describe('process environment defaults', () => {
  it('limits glibc to two malloc arenas', () => {
    expect(PROCESS_ENV_DEFAULTS).toEqual({ MALLOC_ARENA_MAX: '2' });
  });

  it('adds what the environment does not set, and keeps everything else', () => {
    expect(withProcessEnvDefaults({ PORT: '3000' })).toEqual({ PORT: '3000', MALLOC_ARENA_MAX: '2' });
    expect(missingProcessEnv({ PORT: '3000' })).toEqual(['MALLOC_ARENA_MAX']);
  });

  it("keeps the operator's value, even an empty one", () => {
    expect(withProcessEnvDefaults({ MALLOC_ARENA_MAX: '8' })).toEqual({ MALLOC_ARENA_MAX: '8' });
    expect(withProcessEnvDefaults({ MALLOC_ARENA_MAX: '' })).toEqual({ MALLOC_ARENA_MAX: '' });
    expect(missingProcessEnv({ MALLOC_ARENA_MAX: '8' })).toEqual([]);
  });

  it('does not change the environment it is given', () => {
    const env = { PORT: '3000' };
    withProcessEnvDefaults(env);
    expect(env).toEqual({ PORT: '3000' });
  });
});
