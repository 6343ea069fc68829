import { BoundedCache } from './bounded-cache';

describe('BoundedCache', () => {
  it('computes a value once per key', () => {
    const cache = new BoundedCache<string, number>(10);
    const compute = jest.fn((key: string) => key.length);

    expect(cache.get('abc', compute)).toBe(3);
    expect(cache.get('abc', compute)).toBe(3);
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('remembers undefined too', () => {
    const cache = new BoundedCache<string, number | undefined>(10);
    const compute = jest.fn(() => undefined);

    cache.get('x', compute);
    cache.get('x', compute);
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('keeps at most `size` keys, forgetting the oldest first', () => {
    const cache = new BoundedCache<number, number>(2);
    const compute = jest.fn((key: number) => key * 2);

    [1, 2, 3].forEach((key) => cache.get(key, compute));
    cache.get(3, compute);
    cache.get(2, compute);
    expect(compute).toHaveBeenCalledTimes(3);
    cache.get(1, compute);
    expect(compute).toHaveBeenCalledTimes(4);
  });

  it('remembers nothing when the computation throws', () => {
    const cache = new BoundedCache<string, number>(2);
    const failing = () => {
      throw new Error('no');
    };

    expect(() => cache.get('x', failing)).toThrow('no');
    expect(cache.get('x', () => 1)).toBe(1);
  });
});
