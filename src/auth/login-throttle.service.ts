import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHash } from 'node:crypto';
import { AppError } from '../common/app-error';
import { addressKey } from '../common/rate-limit/address-key';
import { WindowLimit, WindowLimits } from '../common/rate-limit/window-limits';
import { authConfig } from '../config';
import {
  FAILURE_RUN_MEMORY_SECONDS,
  lockoutSeconds,
  longestWait,
  MAX_CONSECUTIVE_FAILURES,
} from './login-lockout.policy';

/**
 * Failed-login limits, shared through Redis when configured: per email (case-insensitive) per window, per
 * client address per window, and at most `MAX_CONSECUTIVE_FAILURES` in a row per email without a success. Each
 * lockout of an email that follows another without a success lasts twice as long.
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger('LoginThrottle');
  private readonly byEmail: WindowLimit;
  private readonly byAddress: WindowLimit;
  private readonly inARow: WindowLimit;
  private readonly lockouts: WindowLimit;

  constructor(
    limits: WindowLimits,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {
    const window = config.loginFailureWindowSeconds;
    this.byEmail = limits.create({
      name: 'login-failures-email',
      points: config.loginMaxFailuresPerEmail,
      durationSeconds: window,
    });
    this.byAddress = limits.create({
      name: 'login-failures-address',
      points: config.loginMaxFailuresPerAddress,
      durationSeconds: window,
    });
    this.inARow = limits.create({
      name: 'login-failures-in-a-row',
      points: MAX_CONSECUTIVE_FAILURES,
      durationSeconds: FAILURE_RUN_MEMORY_SECONDS,
    });
    this.lockouts = limits.create({
      name: 'login-lockouts',
      points: Number.MAX_SAFE_INTEGER,
      durationSeconds: FAILURE_RUN_MEMORY_SECONDS,
    });
  }

  /**
   * Counts this attempt as a failure before the password is checked, so that parallel attempts cannot all
   * pass a limit that only finished ones would have reached. @throws AppError `RATE_LIMITED` over any limit
   */
  async begin(email: string, address: string): Promise<LoginAttempt> {
    const attempt = { emailKey: emailKey(email), addressKey: addressKey(address), emailCount: 0 };
    const takes = this.takes(attempt);
    const results = await Promise.all(takes.map(([limit, key]) => limit.take(key)));
    const refused = results.flatMap((result) => (result.taken ? [] : [result.retryAfterSeconds]));
    if (refused.length === 0) {
      const byEmail = results[0];
      return { ...attempt, emailCount: byEmail.taken ? byEmail.counted : 0 };
    }
    // A refused attempt is no failure: what the other limits took is given back.
    await Promise.all(
      takes.filter((_, index) => results[index].taken).map(([limit, key]) => limit.giveBack(key)),
    );
    const retryAfterSeconds = longestWait(refused);
    this.logger.warn({ event: 'login.limited', retryAfterSeconds });
    throw new AppError('RATE_LIMITED', 'Too many failed logins, try again later', { retryAfterSeconds });
  }

  /**
   * The attempt failed. The one that used up its email's window starts a lockout, twice as long as the one
   * before it when there was no success in between.
   */
  async failed(attempt: LoginAttempt): Promise<void> {
    if (attempt.emailCount !== this.config.loginMaxFailuresPerEmail) return;
    const lockouts = await this.lockouts.take(attempt.emailKey);
    const lockout = lockouts.taken ? lockouts.counted : 1;
    const seconds = lockoutSeconds(this.config.loginFailureWindowSeconds, lockout);
    await this.byEmail.block(attempt.emailKey, seconds);
    this.logger.warn({ event: 'login.lockout', lockout, seconds });
  }

  /** The attempt could not be judged (the database failed): it is no failure. */
  async abandon(attempt: LoginAttempt): Promise<void> {
    await Promise.all(this.takes(attempt).map(([limit, key]) => limit.giveBack(key)));
  }

  /** A success ends its email's run of failures and takes its own count back from the address. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await Promise.all([
      this.byEmail.delete(attempt.emailKey),
      this.inARow.delete(attempt.emailKey),
      this.lockouts.delete(attempt.emailKey),
      this.byAddress.giveBack(attempt.addressKey),
    ]);
  }

  private takes(attempt: LoginAttempt): Array<[WindowLimit, string]> {
    return [
      [this.byEmail, attempt.emailKey],
      [this.inARow, attempt.emailKey],
      [this.byAddress, attempt.addressKey],
    ];
  }
}

/** One login attempt as the limits counted it. */
export interface LoginAttempt {
  emailKey: string;
  addressKey: string;
  /** Failures counted in the email's window with this one. */
  emailCount: number;
}
// Hashed so that neither Redis nor a memory dump holds a list of the emails that were tried.
function emailKey(email: string): string {
  return createHash('sha256').update(email.toLowerCase()).digest('base64url');
}
