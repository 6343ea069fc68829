import { AppError } from '../../common/app-error';
import { ErrorCode } from '../../common/error-codes';
import { isNotSentCode } from '../providers/provider-http';
import {
  VerificationProviderError,
  VerificationProviderFailure,
} from '../providers/verification-provider.interface';

/** What the client is told for each way a provider call can fail: a stable code, never upstream text. */
export const FAILURE_ERRORS: Record<VerificationProviderFailure, { code: ErrorCode; message: string }> = {
  invalid_number: { code: 'INVALID_PHONE_NUMBER', message: 'The provider refused this phone number' },
  channel_refused: {
    code: 'CHANNEL_NOT_SUPPORTED',
    message: 'This number cannot receive codes by this channel',
  },
  country_not_allowed: {
    code: 'COUNTRY_NOT_ALLOWED',
    message: 'Numbers of this country cannot be verified here',
  },
  destination_blocked: { code: 'DESTINATION_BLOCKED', message: 'Sending codes to this number is blocked' },
  send_limit: { code: 'SEND_LIMIT_REACHED', message: 'Too many codes were sent to this number, try later' },
  too_many_attempts: { code: 'TOO_MANY_ATTEMPTS', message: 'Too many wrong codes: start a new verification' },
  rate_limited: { code: 'RATE_LIMITED', message: 'The verification provider is busy, try again shortly' },
  provider_error: { code: 'VERIFY_PROVIDER_ERROR', message: 'The verification provider failed' },
  timeout: { code: 'VERIFY_PROVIDER_TIMEOUT', message: 'The verification provider did not answer in time' },
};

const WAITING_CODES: ReadonlySet<ErrorCode> = new Set([
  'RATE_LIMITED',
  'SEND_LIMIT_REACHED',
  'TOO_MANY_ATTEMPTS',
]);

/**
 * A timeout, or a connection lost without an answer: the provider may have acted (sent and billed a code, or
 * judged one). Anything else was refused or never reached it.
 */
export function providerMayHaveActed(error: unknown): boolean {
  if (!(error instanceof VerificationProviderError)) return false;
  if (error.failure === 'timeout') return true;
  const { upstreamStatus, upstreamCode } = error.detail;
  return error.failure === 'provider_error' && upstreamStatus === undefined && !isNotSentCode(upstreamCode);
}

/**
 * The client's answer to a provider failure. A wait the provider did not state is its usual one: a minute when
 * it throttles, the code's lifetime for a per-number cap.
 */
export function providerFailureError(error: VerificationProviderError, codeTtlSeconds: number): AppError {
  const { code, message } = FAILURE_ERRORS[error.failure];
  if (!WAITING_CODES.has(code)) return new AppError(code, message);
  const fallback = code === 'RATE_LIMITED' ? 60 : codeTtlSeconds;
  return new AppError(code, message, { retryAfterSeconds: error.detail.retryAfterSeconds ?? fallback });
}
