import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DEFAULT_IPV6_SUBNET_PREFIX, normalizeIp } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { AppError } from '../common/app-error';
import { COUNTER_STORE, CounterStore } from '../common/rate-limit/counter-store';
import { authConfig } from '../config';

/** Failed-login limits per email (case-insensitive) and per client address, shared through the counter store. */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger('LoginThrottle');

  constructor(
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  /**
   * Counts this attempt before the password is checked, so that parallel attempts cannot all pass a limit
   * that only finished ones would have reached. @throws AppError `RATE_LIMITED` over either limit
   */
  async begin(email: string, address: string): Promise<void> {
    const window = this.config.loginFailureWindowSeconds;
    const [byEmail, byAddress] = await Promise.all([
      this.counters.increment(emailKey(email), window),
      this.counters.increment(addressKey(address), window),
    ]);
    const over = [
      byEmail.count > this.config.loginMaxFailuresPerEmail ? byEmail : null,
      byAddress.count > this.config.loginMaxFailuresPerAddress ? byAddress : null,
    ].filter((counter) => counter !== null);
    if (over.length === 0) return;
    // A refused attempt is no failure: take its counts back.
    await Promise.all([
      this.counters.decrement(emailKey(email)),
      this.counters.decrement(addressKey(address)),
    ]);
    const retryAfterSeconds = Math.max(...over.map((counter) => counter.resetInSeconds));
    this.logger.warn({ event: 'login.limited', retryAfterSeconds });
    throw new AppError('RATE_LIMITED', 'Too many failed logins, try again later', { retryAfterSeconds });
  }

  /** The attempt could not be judged (the database failed): it is no failure. */
  async abandon(email: string, address: string): Promise<void> {
    await Promise.all([
      this.counters.decrement(emailKey(email)),
      this.counters.decrement(addressKey(address)),
    ]);
  }

  /** A successful login clears its email's failures and takes its own count back from the address. */
  async succeeded(email: string, address: string): Promise<void> {
    await Promise.all([this.counters.delete(emailKey(email)), this.counters.decrement(addressKey(address))]);
  }
}

// Hashed so that neither Redis nor a memory dump holds a list of the emails that were tried.
function emailKey(email: string): string {
  return `login-failures:email:${createHash('sha256').update(email.toLowerCase()).digest('base64url')}`;
}

// An IPv6 client owns at least a /64: counting per address would hand it endless fresh keys.
function addressKey(address: string): string {
  return `login-failures:address:${normalizeIp(address, DEFAULT_IPV6_SUBNET_PREFIX)}`;
}
