import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AppError } from '../common/app-error';
import { WindowLimit, WindowLimits } from '../common/rate-limit/window-limits';
import { verifyConfig } from '../config';
import { codeWindowSeconds } from './policy/guess-caps.policy';
import { numberKey } from './send-caps';

const DAY_SECONDS = 24 * 3600;

/** Guesses taken against a number for one check: kept when the code was judged wrong, else given back. */
export interface GuessClaim {
  giveBack(): Promise<void>;
}

/**
 * Wrong codes per number, across every account and every verification: the provider keeps one code per number
 * and re-sends it, so guesses are capped per code (within a window that outlives the code) and per day.
 */
@Injectable()
export class GuessCaps {
  private readonly logger = new Logger('PhoneVerification');
  private readonly perCode: WindowLimit;
  private readonly perDay: WindowLimit;
  private readonly codeWindowSeconds: number;

  constructor(limits: WindowLimits, @Inject(verifyConfig.KEY) config: ConfigType<typeof verifyConfig>) {
    this.codeWindowSeconds = codeWindowSeconds(config.codeTtlSeconds, config.timeoutMs);
    this.perCode = limits.create({
      name: 'verify-guesses-code',
      points: config.maxCheckAttempts,
      durationSeconds: this.codeWindowSeconds,
    });
    this.perDay = limits.create({
      name: 'verify-guesses-day',
      points: config.maxFailedChecksPerDay,
      durationSeconds: DAY_SECONDS,
    });
  }

  /**
   * Before a code is asked for: the number's code window is made to last at least a code's lifetime from now,
   * keeping its count. No code can then outlive the window it was sent in, so the guesses that window allows
   * are all the guesses any code gets.
   */
  async coverNextCode(e164: string): Promise<void> {
    await this.perCode.extend(numberKey(e164), this.codeWindowSeconds);
  }

  /** Seconds until the number takes a guess again: 0 when it takes one now. */
  async waitSeconds(e164: string): Promise<number> {
    const key = numberKey(e164);
    const [code, day] = await Promise.all([this.perCode.remaining(key), this.perDay.remaining(key)]);
    return Math.max(code.points > 0 ? 0 : code.resetInSeconds, day.points > 0 ? 0 : day.resetInSeconds);
  }

  /** @throws AppError `TOO_MANY_ATTEMPTS` with Retry-After when the number has had its guesses */
  async take(e164: string): Promise<GuessClaim> {
    const key = numberKey(e164);
    const perCode = await this.perCode.take(key);
    if (!perCode.taken) throw this.refusal('per_code', perCode.retryAfterSeconds);
    const perDay = await this.perDay.take(key);
    if (!perDay.taken) {
      await this.perCode.giveBack(key);
      throw this.refusal('per_day', perDay.retryAfterSeconds);
    }
    return {
      giveBack: async () => {
        await Promise.all([this.perCode.giveBack(key), this.perDay.giveBack(key)]);
      },
    };
  }

  private refusal(limit: 'per_code' | 'per_day', retryAfterSeconds: number): AppError {
    this.logger.warn({
      event: 'verification.limit',
      limit: `wrong_codes_per_number_${limit}`,
      retryAfterSeconds,
    });
    return new AppError('TOO_MANY_ATTEMPTS', 'Too many wrong codes for this number, try again later', {
      retryAfterSeconds,
    });
  }
}
