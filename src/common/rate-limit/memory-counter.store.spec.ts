import { MemoryCounterStore } from './memory-counter.store';

const WINDOW_SECONDS = 60;

describe('MemoryCounterStore', () => {
  let now: number;
  let store: MemoryCounterStore;

  beforeEach(() => {
    now = Date.UTC(2025, 0, 1, 12, 0, 0);
    store = new MemoryCounterStore(() => now);
  });

  const advance = (milliseconds: number): void => {
    now += milliseconds;
  };

  it('counts increments of one key within the window', async () => {
    await expect(store.increment('a', WINDOW_SECONDS)).resolves.toEqual({ count: 1, resetInSeconds: 60 });
    await expect(store.increment('a', WINDOW_SECONDS)).resolves.toEqual({ count: 2, resetInSeconds: 60 });
    advance(10_500);
    await expect(store.increment('a', WINDOW_SECONDS)).resolves.toEqual({ count: 3, resetInSeconds: 50 });
    await expect(store.get('a')).resolves.toEqual({ count: 3, resetInSeconds: 50 });
  });

  it('keeps a fixed window: later increments do not extend it', async () => {
    await store.increment('a', WINDOW_SECONDS);
    advance(59_000);
    await expect(store.increment('a', WINDOW_SECONDS)).resolves.toEqual({ count: 2, resetInSeconds: 1 });
    advance(1_000);
    await expect(store.increment('a', WINDOW_SECONDS)).resolves.toEqual({ count: 1, resetInSeconds: 60 });
  });

  it('restarts the count at 1 once the window has passed', async () => {
    for (let i = 0; i < 5; i += 1) await store.increment('a', WINDOW_SECONDS);
    advance(WINDOW_SECONDS * 1000 + 1);
    await expect(store.increment('a', WINDOW_SECONDS)).resolves.toEqual({ count: 1, resetInSeconds: 60 });
  });

  it('get returns the count within the window and null once it has expired', async () => {
    await store.increment('a', WINDOW_SECONDS);
    advance(WINDOW_SECONDS * 1000 - 1);
    await expect(store.get('a')).resolves.toEqual({ count: 1, resetInSeconds: 1 });
    advance(1);
    await expect(store.get('a')).resolves.toBeNull();
  });

  it('get returns null for a key never incremented and does not create it', async () => {
    await expect(store.get('missing')).resolves.toBeNull();
    await expect(store.increment('missing', WINDOW_SECONDS)).resolves.toEqual({
      count: 1,
      resetInSeconds: 60,
    });
  });

  it('delete forgets the counter', async () => {
    await store.increment('a', WINDOW_SECONDS);
    await store.increment('a', WINDOW_SECONDS);
    await store.delete('a');
    await expect(store.get('a')).resolves.toBeNull();
    await expect(store.increment('a', WINDOW_SECONDS)).resolves.toEqual({ count: 1, resetInSeconds: 60 });
  });

  it('delete of an unknown key is harmless', async () => {
    await expect(store.delete('missing')).resolves.toBeUndefined();
  });

  it('keeps keys independent, each with its own window', async () => {
    await store.increment('a', WINDOW_SECONDS);
    await store.increment('a', WINDOW_SECONDS);
    advance(30_000);
    await store.increment('b', WINDOW_SECONDS);
    await store.delete('c');
    await expect(store.get('a')).resolves.toEqual({ count: 2, resetInSeconds: 30 });
    await expect(store.get('b')).resolves.toEqual({ count: 1, resetInSeconds: 60 });

    advance(30_000);
    await expect(store.get('a')).resolves.toBeNull();
    await expect(store.get('b')).resolves.toEqual({ count: 1, resetInSeconds: 30 });
  });

  it('rounds the remaining time up, so a client told to wait is never early', async () => {
    await store.increment('a', 1);
    advance(999);
    await expect(store.get('a')).resolves.toEqual({ count: 1, resetInSeconds: 1 });
  });

  it('honours the window length given with the first increment', async () => {
    await store.increment('short', 5);
    await store.increment('long', 3600);
    advance(5_000);
    await expect(store.get('short')).resolves.toBeNull();
    await expect(store.get('long')).resolves.toEqual({ count: 1, resetInSeconds: 3595 });
  });
});
