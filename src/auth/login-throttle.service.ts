import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
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

  /** @throws AppError `RATE_LIMITED` while either limit is reached */
  async assertAllowed(email: string, address: string): Promise<void> {
    const [byEmail, byAddress] = await Promise.all([
      this.counters.get(emailKey(email)),
      this.counters.get(addressKey(address)),
    ]);
    const blocked = [
      byEmail && byEmail.count >= this.config.loginMaxFailuresPerEmail ? byEmail : null,
      byAddress && byAddress.count >= this.config.loginMaxFailuresPerAddress ? byAddress : null,
    ].filter((counter) => counter !== null);
    if (blocked.length === 0) return;
    const retryAfterSeconds = Math.max(...blocked.map((counter) => counter.resetInSeconds));
    this.logger.warn({ event: 'login.limited', retryAfterSeconds });
    throw new AppError('RATE_LIMITED', 'Too many failed logins, try again later', { retryAfterSeconds });
  }

  async recordFailure(email: string, address: string): Promise<void> {
    const window = this.config.loginFailureWindowSeconds;
    await Promise.all([
      this.counters.increment(emailKey(email), window),
      this.counters.increment(addressKey(address), window),
    ]);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.counters.delete(emailKey(email));
  }
}

// Hashed so that neither Redis nor a memory dump holds a list of the emails that were tried.
function emailKey(email: string): string {
  return `login-failures:email:${createHash('sha256').update(email.toLowerCase()).digest('base64url')}`;
}

function addressKey(address: string): string {
  return `login-failures:address:${address}`;
}
