import { ERROR_STATUS, ErrorCode } from './error-codes';

export interface AppErrorOptions {
  /** Whole seconds for the `Retry-After` header of a 429. */
  retryAfterSeconds?: number;
  /** Extra fields of the error body, e.g. `attemptsRemaining`. */
  extra?: Record<string, unknown>;
  /** A `WWW-Authenticate` challenge for a 401 (RFC 6750); plain `Bearer` when absent. */
  wwwAuthenticate?: string;
}

/**
 * A domain failure with a stable code. Services throw it; the exception filter turns it into the error body
 * of docs/api.md. The message is shown to the client, so it never carries a secret or upstream text.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: AppErrorOptions = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
