export interface WindowCounter {
  count: number;
  /** Seconds until the window, and with it the count, ends. */
  resetInSeconds: number;
}

/**
 * Fixed-window counters that expire on their own, shared by every instance when Redis is configured.
 * Used for the per-email and per-address login failure limits.
 */
export interface CounterStore {
  increment(key: string, windowSeconds: number): Promise<WindowCounter>;
  /** Takes back one count of a window that is still open; nothing when it has ended. */
  decrement(key: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export const COUNTER_STORE = Symbol('COUNTER_STORE');
