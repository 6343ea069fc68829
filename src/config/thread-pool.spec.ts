import {
  hashConcurrency,
  POOL_THREAD_NICENESS,
  preferredThreadPoolSize,
  sizeThreadPool,
  startedThreads,
  threadPoolSize,
} from './thread-pool';

describe('hashConcurrency', () => {
  it.each([
    [1, 4, 1], // never zero: logins must still work
    [2, 4, 1], // a core stays with the event loop
    [4, 4, 2], // the default pool on a bigger machine: two threads stay free
    [8, 9, 7],
    [4, 3, 1],
    [4, 1, 1],
  ])('%i cores, a pool of %i: %i hashes at once', (cores, pool, expected) => {
    expect(hashConcurrency(cores, pool)).toBe(expected);
    if (pool > 2) expect(pool - hashConcurrency(cores, pool)).toBeGreaterThanOrEqual(2);
  });
});

describe('threadPoolSize', () => {
  it.each([
    [undefined, 4],
    ['', 4],
    ['8', 8],
    ['0', 4],
    ['many', 4],
    ['5000', 1024],
  ])('UV_THREADPOOL_SIZE=%p is a pool of %i', (value, expected) => {
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: value })).toBe(expected);
  });
});

describe('sizeThreadPool', () => {
  it.each([
    [1, '4'],
    [2, '4'],
    [8, '9'],
  ])('with %i cores and no setting asks for %s threads', (cores, expected) => {
    const env: NodeJS.ProcessEnv = {};
    sizeThreadPool(env, cores);
    expect(env.UV_THREADPOOL_SIZE).toBe(expected);
    expect(preferredThreadPoolSize(cores)).toBe(Number(expected));
  });

  it("keeps the operator's setting", () => {
    const env: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '6' };
    sizeThreadPool(env, 16);
    expect(env.UV_THREADPOOL_SIZE).toBe('6');
  });
});

describe('startedThreads', () => {
  it('lists the threads that appeared, as numbers', () => {
    expect(startedThreads(['100', '101', '102'], ['100', '101', '102', '140', '141'])).toEqual([140, 141]);
  });

  it('lists none when no thread appeared, or some ended', () => {
    expect(startedThreads(['100', '101'], ['100', '101'])).toEqual([]);
    expect(startedThreads(['100', '101'], ['100'])).toEqual([]);
  });
});

describe('POOL_THREAD_NICENESS', () => {
  it('is below the default priority, and not the lowest', () => {
    expect(POOL_THREAD_NICENESS).toBeGreaterThan(0);
    expect(POOL_THREAD_NICENESS).toBeLessThan(19);
  });
});
