import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { verifyConfig } from '../../config';
import { maskPhoneNumber } from '../../users/phone-number.parser';
import {
  CancelVerificationRequest,
  Channel,
  CheckVerificationOutcome,
  CheckVerificationRequest,
  StartVerificationRequest,
  StartVerificationResult,
  VerificationProvider,
} from './verification-provider.interface';

/**
 * Development provider: sends nothing, writes the code to the service log so a developer can finish the flow
 * without any account. Keeps only a keyed hash of each code. Refused in production by the configuration.
 */
@Injectable()
export class LogVerificationProvider implements VerificationProvider {
  readonly name = 'log';
  readonly channels: readonly Channel[] = ['sms', 'call'];
  private readonly logger = new Logger('LogVerificationProvider');
  private readonly key = randomBytes(32);
  private readonly pending = new Map<string, { digest: Buffer; expiresAt: number }>();

  constructor(@Inject(verifyConfig.KEY) private readonly config: ConfigType<typeof verifyConfig>) {}

  async start({ to, channel, codeLength }: StartVerificationRequest): Promise<StartVerificationResult> {
    const code = randomInt(0, 10 ** codeLength)
      .toString()
      .padStart(codeLength, '0');
    this.pending.set(to.e164, {
      digest: this.digest(code),
      expiresAt: Date.now() + this.config.codeTtlSeconds * 1000,
    });
    this.logger.log(
      `verification code for ${maskPhoneNumber(to.countryCode, to.nationalNumber)} by ${channel}: ${code}`,
    );
    return {};
  }

  async check({ to, code }: CheckVerificationRequest): Promise<CheckVerificationOutcome> {
    const entry = this.pending.get(to.e164);
    if (!entry || entry.expiresAt <= Date.now()) {
      this.pending.delete(to.e164);
      return 'not_found';
    }
    if (!timingSafeEqual(entry.digest, this.digest(code))) return 'wrong_code';
    this.pending.delete(to.e164);
    return 'approved';
  }

  async cancel({ to }: CancelVerificationRequest): Promise<void> {
    this.pending.delete(to.e164);
  }

  private digest(code: string): Buffer {
    return createHmac('sha256', this.key).update(code).digest();
  }
}
