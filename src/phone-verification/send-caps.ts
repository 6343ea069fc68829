import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHash } from 'node:crypto';
import { AppError } from '../common/app-error';
import { BoundedCache } from '../common/bounded-cache';
import { addressKey } from '../common/rate-limit/address-key';
import { WindowLimit, WindowLimits } from '../common/rate-limit/window-limits';
import { verifyConfig } from '../config';
import { sendCapClaims, SendCapName } from './policy/send-caps.policy';

const HOUR_SECONDS = 3600;
const BUDGET_KEY = 'service';

/** Sends taken from the cross-account caps for one start: given back when the provider sends nothing. */
export interface SendCapsClaim {
  giveBack(): Promise<void>;
}

/**
 * The caps every account shares: sends per number, per client address (an IPv6 /64 is one address) and for the
 * whole service, per hour. Judged and counted together before the provider is paid: when one refuses, what
 * the others took is given back.
 */
@Injectable()
export class SendCaps {
  private readonly logger = new Logger('PhoneVerification');
  private readonly limits: Record<SendCapName, WindowLimit>;
  /** When the budget window this instance last raised the alarm for ends. */
  private alarmedUntil = 0;

  constructor(
    limits: WindowLimits,
    @Inject(verifyConfig.KEY) private readonly config: ConfigType<typeof verifyConfig>,
  ) {
    const hourly = (name: string, points: number) =>
      limits.create({ name, points, durationSeconds: HOUR_SECONDS });
    this.limits = {
      number: hourly('verify-sends-number', config.maxSendsPerNumberPerHour),
      address: hourly('verify-sends-address', config.maxSendsPerAddressPerHour),
      budget: hourly('verify-sends-budget', config.sendBudgetPerHour),
    };
  }

  /** @throws AppError `SEND_LIMIT_REACHED` (number, address) or `VERIFY_BUDGET_EXHAUSTED`, with Retry-After */
  async take(send: { e164: string; address: string; testNumber: boolean }): Promise<SendCapsClaim> {
    const keys: Record<SendCapName, string> = {
      number: numberKey(send.e164),
      address: addressKey(send.address),
      budget: BUDGET_KEY,
    };
    const taken: SendCapName[] = [];
    const giveBack = () =>
      Promise.all(taken.map((name) => this.limits[name].giveBack(keys[name]))).then(() => undefined);
    for (const name of sendCapClaims({ testNumber: send.testNumber })) {
      const result = await this.limits[name].take(keys[name]);
      if (result.taken) {
        taken.push(name);
        continue;
      }
      await giveBack();
      throw this.refusal(name, result.retryAfterSeconds);
    }
    return { giveBack };
  }

  private refusal(name: SendCapName, retryAfterSeconds: number): AppError {
    if (name === 'budget') {
      // One alarm per exhausted window (per instance), not one per refused request of an attack.
      if (Date.now() >= this.alarmedUntil) {
        this.alarmedUntil = Date.now() + retryAfterSeconds * 1000;
        this.logger.error({
          event: 'verification.budget_exhausted',
          budgetPerHour: this.config.sendBudgetPerHour,
          retryAfterSeconds,
        });
      } else this.logger.warn({ event: 'verification.limit', limit: 'send_budget', retryAfterSeconds });
      return new AppError('VERIFY_BUDGET_EXHAUSTED', 'The service has sent all the codes it may this hour', {
        retryAfterSeconds,
      });
    }
    this.logger.warn({ event: 'verification.limit', limit: `sends_per_${name}`, retryAfterSeconds });
    return new AppError('SEND_LIMIT_REACHED', 'Too many codes were sent in the last hour', {
      retryAfterSeconds,
    });
  }
}

/** Hashed: the limit store never holds a list of the numbers that were tried. */
export function numberKey(e164: string): string {
  return numberKeys.get(e164, () => createHash('sha256').update(e164).digest('base64url'));
}

// Every send and check hashes its number for two or three limits.
const numberKeys = new BoundedCache<string, string>(1000);
