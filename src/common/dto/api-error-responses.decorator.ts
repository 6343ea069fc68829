import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { HeaderObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { buildErrorBody, ErrorBody } from '../error-body';
import { ERROR_EXAMPLES, ERROR_STATUS, ErrorCode } from '../error-codes';
import { ErrorResponseDto } from './error-response.dto';

/** Codes every route may answer, whatever it does. */
export const ANY_ROUTE_ERRORS: readonly ErrorCode[] = [
  'VALIDATION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
];

/** The example body of one code, as the exception filter would build it. */
export function errorExample(code: ErrorCode): ErrorBody {
  const { message, details, attemptsRemaining } = ERROR_EXAMPLES[code];
  return buildErrorBody(ERROR_STATUS[code], code, message, {
    ...(details && { details }),
    ...(attemptsRemaining !== undefined && { attemptsRemaining }),
  });
}

/** The codes of a route grouped by HTTP status, the route's own first, statuses in ascending order. */
export function errorCodesByStatus(codes: readonly ErrorCode[]): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...codes, ...ANY_ROUTE_ERRORS]) {
    const status = ERROR_STATUS[code];
    const list = byStatus.get(status) ?? [];
    if (!list.includes(code)) list.push(code);
    byStatus.set(status, list);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

/** The headers the answers of these codes carry, documented from their examples. */
function responseHeaders(codes: readonly ErrorCode[]): Record<string, HeaderObject> | undefined {
  const examples = codes.map((code) => ERROR_EXAMPLES[code]);
  const headers: Record<string, HeaderObject> = {};
  const retryAfter = examples.find((example) => example.retryAfterSeconds !== undefined)?.retryAfterSeconds;
  if (retryAfter !== undefined) {
    headers['Retry-After'] = {
      description: 'Whole seconds to wait before trying again',
      schema: { type: 'integer', example: retryAfter },
    };
  }
  const challenge = examples.find((example) => example.wwwAuthenticate !== undefined)?.wwwAuthenticate;
  if (challenge !== undefined) {
    headers['WWW-Authenticate'] = {
      description: 'With UNAUTHORIZED: the Bearer challenge (RFC 6750), saying when the token expired',
      schema: { type: 'string', example: challenge },
    };
  }
  return Object.keys(headers).length > 0 ? headers : undefined;
}

/**
 * Documents every error a route can answer: per status, the error schema with `code` narrowed to that status's
 * codes, and one example body per code (taken from ERROR_EXAMPLES), plus `Retry-After` on a 429. The codes any
 * route may answer are added. List a route's own codes: `@ApiErrorResponses(['UNAUTHORIZED', 'EMAIL_TAKEN'])`.
 */
export function ApiErrorResponses(codes: readonly ErrorCode[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorResponseDto),
    ...[...errorCodesByStatus(codes)].map(([status, statusCodes]) =>
      ApiResponse({
        status,
        description: `code: ${statusCodes.join(' | ')}`,
        schema: {
          allOf: [
            { $ref: getSchemaPath(ErrorResponseDto) },
            {
              type: 'object',
              required: ['statusCode', 'code'],
              properties: {
                statusCode: { type: 'integer', enum: [status] },
                code: { type: 'string', enum: statusCodes },
              },
            },
          ],
        },
        examples: Object.fromEntries(
          statusCodes.map((code) => [code, { summary: code, value: errorExample(code) }]),
        ),
        headers: responseHeaders(statusCodes),
      }),
    ),
  );
}
