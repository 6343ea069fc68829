import { Logger } from '@nestjs/common';
import { maskPhoneNumber } from '../users/phone-number.parser';
import { PhoneVerification } from './entities/phone-verification.entity';
import { VerificationDestination } from './providers/verification-provider.interface';

const logger = new Logger('PhoneVerification');

/** One structured log line per step of a verification: the number masked, never a code. */
export function logVerificationEvent(
  event: string,
  userId: string,
  verification: PhoneVerification,
  outcome: string,
  extra: Record<string, unknown> = {},
): void {
  logger.log({
    event,
    userId,
    verificationId: verification.id,
    to: maskPhoneNumber(verification.phoneCountryCode, verification.phoneNationalNumber),
    outcome,
    ...extra,
  });
}

export function destinationOf(verification: PhoneVerification): VerificationDestination {
  return {
    e164: verification.phoneE164,
    countryCode: verification.phoneCountryCode,
    nationalNumber: verification.phoneNationalNumber,
  };
}
