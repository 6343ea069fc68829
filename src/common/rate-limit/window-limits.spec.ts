import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { WindowLimits, wholeSeconds } from './window-limits';

// The Redis the test suite runs against (see test/check-services.js), and a port where nothing listens.
const REDIS_URL = 'redis://127.0.0.1:6379';
const CLOSED_URL = 'redis://127.0.0.1:1';

const connect = async (url: string, keyPrefix: string) => {
  const redis = new Redis(url, {
    keyPrefix,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
  });
  redis.on('error', () => undefined);
  await redis.connect().catch(() => undefined);
  return redis;
};

describe('wholeSeconds', () => {
  it.each([
    [0, 1],
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [3_600_000, 3600],
  ])('%i ms is %i s to wait', (ms, seconds) => {
    expect(wholeSeconds(ms)).toBe(seconds);
  });
});

describe.each([
  ['in memory', null],
  ['in Redis', REDIS_URL],
])('WindowLimit %s', (_label, url) => {
  let redis: Redis | null = null;
  let limits: WindowLimits;
  const keyPrefix = `unit-${randomBytes(6).toString('hex')}:`;

  beforeAll(async () => {
    redis = url ? await connect(url, keyPrefix) : null;
    limits = new WindowLimits(redis);
  });

  afterAll(async () => {
    if (!redis) return;
    // The client prefixes the keys it is given, but neither KEYS' pattern nor its answer.
    const keys = (await redis.keys(`${keyPrefix}*`)).map((key) => key.slice(keyPrefix.length));
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const limit = (points: number, durationSeconds = 60) =>
    limits.create({ name: `spec-${randomBytes(4).toString('hex')}`, points, durationSeconds });

  it('takes points up to the limit, then refuses with the time left in the window', async () => {
    const three = limit(3, 60);
    expect(await three.take('k')).toEqual({ taken: true, counted: 1 });
    await three.take('k');
    expect(await three.take('k')).toEqual({ taken: true, counted: 3 });
    const refused = await three.take('k');
    expect(refused).toEqual({ taken: false, retryAfterSeconds: expect.any(Number) });
    expect(refused.taken === false && refused.retryAfterSeconds).toBeGreaterThan(58);
    expect(await three.remaining('k')).toMatchObject({ points: 0 });
    // Another key has its own window.
    expect(await three.take('other')).toMatchObject({ taken: true });
  });

  it('does not count a refused take', async () => {
    const one = limit(1);
    await one.take('k');
    for (let i = 0; i < 5; i += 1) await one.take('k');
    await one.giveBack('k');
    expect(await one.take('k')).toMatchObject({ taken: true, counted: 1 });
  });

  it('gives back into an open window only, never below nothing', async () => {
    const two = limit(2);
    await two.giveBack('never-taken');
    expect(await two.remaining('never-taken')).toEqual({ points: 2, resetInSeconds: 0 });
    await two.take('k');
    await two.giveBack('k');
    await two.giveBack('k');
    expect(await two.remaining('k')).toMatchObject({ points: 2 });
  });

  it('extends a window without losing its count, and never shortens it', async () => {
    const two = limit(2, 10);
    await two.take('k');
    await two.extend('k', 100);
    const extended = await two.remaining('k');
    expect(extended.points).toBe(1);
    expect(extended.resetInSeconds).toBeGreaterThan(90);
    await two.extend('k', 5);
    expect((await two.remaining('k')).resetInSeconds).toBeGreaterThan(90);
    await two.extend('fresh', 50);
    expect(await two.remaining('fresh')).toMatchObject({ points: 2 });
  });

  it('blocks a key for a given time, and forgets it on delete', async () => {
    const many = limit(100);
    await many.block('k', 30);
    const refused = await many.take('k');
    expect(refused.taken === false && refused.retryAfterSeconds).toBeGreaterThan(28);
    await many.delete('k');
    expect(await many.take('k')).toMatchObject({ taken: true, counted: 1 });
  });

  it('is off with 0 points', async () => {
    const off = limit(0);
    for (let i = 0; i < 10; i += 1) expect(await off.take('k')).toMatchObject({ taken: true });
    expect(off.enabled).toBe(false);
  });
});

describe('WindowLimit while Redis does not answer', () => {
  it("counts in this instance's memory instead of failing, with a warning", async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const redis = await connect(CLOSED_URL, 'unit:');
    try {
      const two = new WindowLimits(redis).create({ name: 'spec-down', points: 2, durationSeconds: 60 });
      expect(await two.take('k')).toMatchObject({ taken: true });
      expect(await two.take('k')).toMatchObject({ taken: true });
      expect(await two.take('k')).toMatchObject({ taken: false });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('Redis unavailable'));
    } finally {
      redis.disconnect();
      warn.mockRestore();
    }
  });
});
