import type Redis from 'ioredis';
import { CounterStore, WindowCounter } from './counter-store';

// INCR and the expiry in one step, so a counter can never be left without an expiry.
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;

// Only an existing (so expiring) counter is decremented: DECR alone would create one without an expiry.
const DECREMENT = `
if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then
  redis.call('DECR', KEYS[1])
end
return 0
`;

/** Counters shared by every instance through Redis. */
export class RedisCounterStore implements CounterStore {
  constructor(private readonly redis: Redis) {}

  async increment(key: string, windowSeconds: number): Promise<WindowCounter> {
    const [count, ttl] = (await this.redis.eval(INCREMENT, 1, this.key(key), windowSeconds * 1000)) as [
      number,
      number,
    ];
    return { count, resetInSeconds: Math.ceil(ttl / 1000) };
  }

  async decrement(key: string): Promise<void> {
    await this.redis.eval(DECREMENT, 1, this.key(key));
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  private key(key: string): string {
    return `counter:${key}`;
  }
}
