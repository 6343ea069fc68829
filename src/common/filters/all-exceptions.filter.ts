import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Response } from 'express';
import { isDatabaseUnavailable, isInvalidInput } from '../../database/database-errors';
import { AppError } from '../app-error';
import { buildErrorBody, ErrorBody } from '../error-body';
import { ErrorCode } from '../error-codes';

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: 'VALIDATION_FAILED',
  [HttpStatus.UNAUTHORIZED]: 'UNAUTHORIZED',
  [HttpStatus.FORBIDDEN]: 'FORBIDDEN',
  [HttpStatus.NOT_FOUND]: 'NOT_FOUND',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'METHOD_NOT_ALLOWED',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'PAYLOAD_TOO_LARGE',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'UNSUPPORTED_MEDIA_TYPE',
  [HttpStatus.TOO_MANY_REQUESTS]: 'RATE_LIMITED',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'SERVICE_UNAVAILABLE',
};

/** The one place where failures become the error body of docs/api.md. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { body, retryAfterSeconds, wwwAuthenticate } = this.toErrorBody(exception);
    if (response.headersSent) return;
    if (retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(retryAfterSeconds));
    // Every 401 names the scheme it wants (RFC 9110 15.5.2, RFC 6750 3).
    if (
      body.statusCode === HttpStatus.UNAUTHORIZED &&
      (wwwAuthenticate || !response.hasHeader('WWW-Authenticate'))
    )
      response.setHeader('WWW-Authenticate', wwwAuthenticate ?? 'Bearer');
    response.status(body.statusCode).json(body);
  }

  toErrorBody(exception: unknown): { body: ErrorBody; retryAfterSeconds?: number; wwwAuthenticate?: string } {
    if (exception instanceof AppError) {
      const { retryAfterSeconds, extra, wwwAuthenticate } = exception.options;
      const retryAfter =
        retryAfterSeconds === undefined ? undefined : Math.max(1, Math.ceil(retryAfterSeconds));
      return {
        body: buildErrorBody(exception.status, exception.code, exception.message, extra),
        retryAfterSeconds: retryAfter,
        wwwAuthenticate,
      };
    }
    if (exception instanceof ThrottlerException) {
      return { body: buildErrorBody(HttpStatus.TOO_MANY_REQUESTS, 'RATE_LIMITED', 'Too many requests') };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_FAILED');
      if (status >= 500) this.logger.error(exception);
      return {
        body: buildErrorBody(status, code, status >= 500 ? 'Internal server error' : messageOf(exception)),
      };
    }
    if (isInvalidInput(exception)) {
      return {
        body: buildErrorBody(
          HttpStatus.BAD_REQUEST,
          'VALIDATION_FAILED',
          'The request holds a value that cannot be stored',
        ),
      };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.error({ err: exception }, 'database unavailable');
      return {
        body: buildErrorBody(HttpStatus.SERVICE_UNAVAILABLE, 'SERVICE_UNAVAILABLE', 'Service unavailable'),
      };
    }
    this.logger.error({ err: exception }, 'unhandled error');
    return {
      body: buildErrorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'INTERNAL_ERROR', 'Internal server error'),
    };
  }
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const { message } = response as { message?: unknown };
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return exception.message;
}
