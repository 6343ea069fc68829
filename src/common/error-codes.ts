import { HttpStatus } from '@nestjs/common';

/** The stable, machine-readable `code` of every error body (docs/api.md), with the HTTP status it answers. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  METHOD_NOT_ALLOWED: HttpStatus.METHOD_NOT_ALLOWED,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  INTERNAL_ERROR: HttpStatus.INTERNAL_SERVER_ERROR,
  SERVICE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,

  EMAIL_TAKEN: HttpStatus.CONFLICT,
  INVALID_CREDENTIALS: HttpStatus.UNAUTHORIZED,
  INVALID_REFRESH_TOKEN: HttpStatus.UNAUTHORIZED,
  REAUTHENTICATION_REQUIRED: HttpStatus.UNAUTHORIZED,

  INVALID_PHONE_NUMBER: HttpStatus.BAD_REQUEST,
  COUNTRY_NOT_ALLOWED: HttpStatus.BAD_REQUEST,
  PHONE_NUMBER_REQUIRED: HttpStatus.BAD_REQUEST,
  CHANNEL_NOT_SUPPORTED: HttpStatus.BAD_REQUEST,
  DESTINATION_BLOCKED: HttpStatus.FORBIDDEN,
  PHONE_ALREADY_CONFIRMED: HttpStatus.CONFLICT,
  PHONE_NUMBER_TAKEN: HttpStatus.CONFLICT,
  RESEND_TOO_SOON: HttpStatus.TOO_MANY_REQUESTS,
  SEND_LIMIT_REACHED: HttpStatus.TOO_MANY_REQUESTS,
  INVALID_CODE: HttpStatus.BAD_REQUEST,
  NO_PENDING_VERIFICATION: HttpStatus.BAD_REQUEST,
  VERIFICATION_EXPIRED: HttpStatus.BAD_REQUEST,
  TOO_MANY_ATTEMPTS: HttpStatus.TOO_MANY_REQUESTS,
  VERIFY_PROVIDER_ERROR: HttpStatus.BAD_GATEWAY,
  VERIFY_PROVIDER_TIMEOUT: HttpStatus.GATEWAY_TIMEOUT,
  VERIFY_BUDGET_EXHAUSTED: HttpStatus.SERVICE_UNAVAILABLE,
  IDEMPOTENCY_KEY_REUSED: HttpStatus.UNPROCESSABLE_ENTITY,
} as const satisfies Record<string, HttpStatus>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorExample {
  message: string;
  details?: { field: string; messages: string[] }[];
  attemptsRemaining?: number;
  /** Set when the answer carries a `Retry-After` header (every 429): an example value, in seconds. */
  retryAfterSeconds?: number;
  /** Set when the answer carries a `WWW-Authenticate` header: an example value. */
  wwwAuthenticate?: string;
}

/**
 * An example message of every code, as the service words it: the OpenAPI document shows one example body per
 * code under its status. Extra fields (`details`, `attemptsRemaining`) are part of the example where the body
 * carries them. A code whose answer carries `Retry-After` says so with an example value.
 */
export const ERROR_EXAMPLES: Record<ErrorCode, ErrorExample> = {
  VALIDATION_FAILED: {
    message: 'password must be 8 to 128 characters long',
    details: [{ field: 'password', messages: ['password must be 8 to 128 characters long'] }],
  },
  UNAUTHORIZED: {
    message: 'A valid access token is required',
    wwwAuthenticate: 'Bearer error="invalid_token", error_description="The access token expired"',
  },
  FORBIDDEN: { message: 'Forbidden' },
  NOT_FOUND: { message: 'Cannot GET /nowhere' },
  METHOD_NOT_ALLOWED: { message: 'Method not allowed' },
  PAYLOAD_TOO_LARGE: { message: 'Request body must not exceed 16384 bytes' },
  UNSUPPORTED_MEDIA_TYPE: { message: 'Request body must be application/json' },
  RATE_LIMITED: { message: 'Too many requests', retryAfterSeconds: 60 },
  INTERNAL_ERROR: { message: 'Internal server error' },
  SERVICE_UNAVAILABLE: { message: 'Service unavailable' },

  EMAIL_TAKEN: { message: 'An account with this email already exists' },
  INVALID_CREDENTIALS: { message: 'Email or password is incorrect' },
  INVALID_REFRESH_TOKEN: { message: 'The refresh token is invalid, expired or already used' },
  REAUTHENTICATION_REQUIRED: {
    message: 'Changing a confirmed phone number needs a recent password: log in again',
  },

  INVALID_PHONE_NUMBER: { message: 'phoneNumber is not a valid phone number' },
  COUNTRY_NOT_ALLOWED: { message: 'Numbers of this country cannot be verified here' },
  PHONE_NUMBER_REQUIRED: { message: 'Store a phone number first, or send one with this request' },
  CHANNEL_NOT_SUPPORTED: { message: 'This number is a landline: use the call channel' },
  DESTINATION_BLOCKED: { message: 'Sending codes to this number is blocked' },
  PHONE_ALREADY_CONFIRMED: { message: 'The phone number is already confirmed' },
  PHONE_NUMBER_TAKEN: { message: 'Another account has already confirmed this phone number' },
  RESEND_TOO_SOON: {
    message: 'A code was sent moments ago: wait before asking again',
    retryAfterSeconds: 24,
  },
  SEND_LIMIT_REACHED: { message: 'Too many codes were sent in the last hour', retryAfterSeconds: 1260 },
  INVALID_CODE: { message: 'The code is not correct', attemptsRemaining: 4 },
  NO_PENDING_VERIFICATION: { message: 'There is no pending verification: start one first' },
  VERIFICATION_EXPIRED: { message: 'The code has expired: start a new verification' },
  TOO_MANY_ATTEMPTS: { message: 'Too many wrong codes: start a new verification', retryAfterSeconds: 600 },
  VERIFY_PROVIDER_ERROR: { message: 'The verification provider failed' },
  VERIFY_PROVIDER_TIMEOUT: { message: 'The verification provider did not answer in time' },
  VERIFY_BUDGET_EXHAUSTED: {
    message: 'The service has sent all the codes it may this hour',
    retryAfterSeconds: 1800,
  },
  IDEMPOTENCY_KEY_REUSED: {
    message: 'This Idempotency-Key was used with another request: use a new key for a new request',
  },
};
