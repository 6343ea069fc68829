import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../error-codes';
import { ErrorResponseDto } from './error-response.dto';

const ANY_ROUTE: ErrorCode[] = [
  'VALIDATION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
];

/** Documents, per status, the error codes a route can answer (plus those any route may answer). */
export function ApiErrorResponses(codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, Set<ErrorCode>>();
  for (const code of [...codes, ...ANY_ROUTE]) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  return applyDecorators(
    ...[...byStatus].map(([status, statusCodes]) =>
      ApiResponse({
        status,
        description: `code: ${[...statusCodes].join(' | ')}`,
        type: ErrorResponseDto,
        headers:
          status === 429
            ? { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } }
            : undefined,
      }),
    ),
  );
}
