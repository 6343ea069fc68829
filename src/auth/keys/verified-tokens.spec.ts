import type { JWTPayload } from 'jose';
import { VerifiedTokens } from './verified-tokens';

describe('VerifiedTokens', () => {
  let now = 1_000_000;
  const clock = () => now;
  const payload = (exp?: number): JWTPayload => ({ sub: 'user', ...(exp === undefined ? {} : { exp }) });

  beforeEach(() => (now = 1_000_000));

  it('verifies a token once while it is unexpired', async () => {
    const cache = new VerifiedTokens(10, clock);
    const verify = jest.fn(async () => payload(2000));

    await cache.verify('a', verify);
    const again = await cache.verify('a', verify);

    expect(verify).toHaveBeenCalledTimes(1);
    expect(again).toEqual(payload(2000));
  });

  it('verifies again once exp has passed, so an expired token fails as jose says', async () => {
    const cache = new VerifiedTokens(10, clock);
    await cache.verify('a', async () => payload(2000));
    now = 2_000_000;
    const expired = new Error('"exp" claim timestamp check failed');

    await expect(cache.verify('a', () => Promise.reject(expired))).rejects.toBe(expired);
  });

  it('never keeps a failure', async () => {
    const cache = new VerifiedTokens(10, clock);
    await expect(cache.verify('a', () => Promise.reject(new Error('bad signature')))).rejects.toThrow();
    const verify = jest.fn(async () => payload(2000));

    await cache.verify('a', verify);

    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('keeps nothing without exp, and tells tokens apart by their exact text', async () => {
    const cache = new VerifiedTokens(10, clock);
    const verify = jest.fn(async () => payload());
    await cache.verify('a', verify);
    await cache.verify('a', verify);
    const other = jest.fn(async () => payload(2000));
    await cache.verify('a ', other);

    expect(verify).toHaveBeenCalledTimes(2);
    expect(other).toHaveBeenCalledTimes(1);
  });

  it('drops the least recently used token when full', async () => {
    const cache = new VerifiedTokens(2, clock);
    const verify = jest.fn(async () => payload(2000));
    await cache.verify('a', verify);
    await cache.verify('b', verify);
    await cache.verify('a', verify); // a is now the most recent
    await cache.verify('c', verify); // b goes

    await cache.verify('a', verify);
    await cache.verify('b', verify);

    expect(verify).toHaveBeenCalledTimes(4); // a, b, c, b again
  });
});
