import { STATUS_CODES } from 'node:http';
import { ErrorCode } from './error-codes';

export interface FieldError {
  field: string;
  messages: string[];
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: ErrorCode;
  message: string;
  details?: FieldError[];
  [extra: string]: unknown;
}

export function buildErrorBody(
  statusCode: number,
  code: ErrorCode,
  message: string,
  extra: { details?: FieldError[] } & Record<string, unknown> = {},
): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message, ...extra };
}
