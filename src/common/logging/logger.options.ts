import type { Params } from 'nestjs-pino';
import { destination, DestinationStream, LoggerOptions, pino } from 'pino';
import { AppConfig } from '../../config/app.config';
import { isDemoAssetRequest } from '../../demo-ui/demo-asset';
import { prettyStream } from './pretty';
import { RequestLoggingOptions } from './request-logging';

export { pathOnly } from './request-logging';

/**
 * Errors keep their type, message, code and stack only: a database error also carries the query's parameters
 * (emails, password hashes, phone numbers), which must not reach a log.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const { code } = error as { code?: unknown };
  return { type: error.name, message: error.message, code, stack: error.stack };
}

/**
 * Structured JSON logs (or readable lines with `LOG_FORMAT=pretty`); credentials, passwords, codes and tokens
 * redacted. nestjs-pino binds each request's logger (made by `requestLogging`) to the request's context, so
 * that every line logged while serving a request carries its `reqId`.
 */
export function loggerOptions(config: AppConfig): Params {
  // Written asynchronously: lines written while a write is in flight go out together, instead of one blocking
  // write per request. pino flushes what is left when the process exits.
  const stream =
    config.logFormat === 'json'
      ? destination({ dest: 1, sync: false })
      : prettyStream(process.stdout.isTTY === true);
  return { pinoHttp: [serviceLoggerOptions(config), stream], useExisting: true };
}

function serviceLoggerOptions(config: AppConfig): LoggerOptions {
  return {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-authy-api-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.passwordHash',
        '*.accessToken',
        '*.apiKey',
        '*.authToken',
        '*.jwtSecret',
      ],
      censor: '[redacted]',
    },
    serializers: { err: serializeError },
  };
}

/** The loggers of `requestLogging`, writing where the service's logger of `params` writes. */
export function requestLoggingOptions(params: Params): RequestLoggingOptions {
  const [options, stream] = params.pinoHttp as [LoggerOptions, DestinationStream];
  return {
    root: pino(options, stream),
    lines: pino({ level: options.level }, stream),
    ignore: isDemoAssetRequest,
  };
}
