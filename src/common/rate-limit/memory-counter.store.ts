import { CounterStore, WindowCounter } from './counter-store';

/** The single-instance store, used when `REDIS_URL` is not set. */
export class MemoryCounterStore implements CounterStore {
  private readonly counters = new Map<string, { count: number; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async increment(key: string, windowSeconds: number): Promise<WindowCounter> {
    const now = this.now();
    let entry = this.counters.get(key);
    if (!entry || entry.expiresAt <= now) {
      this.sweep(now);
      entry = { count: 0, expiresAt: now + windowSeconds * 1000 };
      this.counters.set(key, entry);
    }
    entry.count += 1;
    return { count: entry.count, resetInSeconds: Math.ceil((entry.expiresAt - now) / 1000) };
  }

  async get(key: string): Promise<WindowCounter | null> {
    const now = this.now();
    const entry = this.counters.get(key);
    if (!entry || entry.expiresAt <= now) return null;
    return { count: entry.count, resetInSeconds: Math.ceil((entry.expiresAt - now) / 1000) };
  }

  async decrement(key: string): Promise<void> {
    const entry = this.counters.get(key);
    if (entry && entry.expiresAt > this.now() && entry.count > 0) entry.count -= 1;
  }

  async delete(key: string): Promise<void> {
    this.counters.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.counters) if (entry.expiresAt <= now) this.counters.delete(key);
  }
}
