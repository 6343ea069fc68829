import { Injectable, Logger } from '@nestjs/common';
import { IdentityMetrics } from '../metrics/identity-metrics';
import { maskPhoneNumber } from '../users/phone-number.parser';
import { PhoneVerification } from './entities/phone-verification.entity';
import { VerificationDestination } from './providers/verification-provider.interface';

/** One structured log line per step of a verification (the number masked, never a code), and its metric. */
@Injectable()
export class VerificationEvents {
  private readonly logger = new Logger('PhoneVerification');

  constructor(private readonly metrics: IdentityMetrics) {}

  record(
    event: string,
    userId: string,
    verification: PhoneVerification,
    outcome: string,
    extra: Record<string, unknown> = {},
  ): void {
    // Every outcome that is logged is counted.
    this.metrics.verificationEvent(event, verification, outcome);
    this.logger.log({
      event,
      userId,
      verificationId: verification.id,
      to: maskPhoneNumber(verification.phoneCountryCode, verification.phoneNationalNumber),
      outcome,
      ...extra,
    });
  }
}

export function destinationOf(verification: PhoneVerification): VerificationDestination {
  return {
    e164: verification.phoneE164,
    countryCode: verification.phoneCountryCode,
    nationalNumber: verification.phoneNationalNumber,
  };
}
