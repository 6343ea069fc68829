import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { destination } from 'pino';
import type { Options } from 'pino-http';
import { AppConfig } from '../../config/app.config';
import { isDemoAssetRequest } from '../../demo-ui/demo-asset';
import { prettyStream } from './pretty';

/**
 * Errors keep their type, message, code and stack only: a database error also carries the query's parameters
 * (emails, password hashes, phone numbers), which must not reach a log.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const { code } = error as { code?: unknown };
  return { type: error.name, message: error.message, code, stack: error.stack };
}

const SAFE_REQUEST_ID = /^[\w.-]{1,64}$/;

/**
 * The path of a request URL without its query string: a client may put a token there by mistake
 * (`?access_token=`), and whatever is in a log line is kept, shipped and read by many.
 */
export function pathOnly(url: string): string {
  const query = url.search(/[?#]/);
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Structured JSON logs with a request id on every line (or readable lines with `LOG_FORMAT=pretty`);
 * credentials, passwords, codes and tokens redacted.
 */
export function loggerOptions(config: AppConfig): Params {
  const options = httpLoggerOptions(config);
  // Written asynchronously: lines written while a write is in flight go out together, instead of one blocking
  // write per request. pino flushes what is left when the process exits.
  if (config.logFormat === 'json') return { pinoHttp: [options, destination({ dest: 1, sync: false })] };
  return { pinoHttp: [options, prettyStream(process.stdout.isTTY === true)] };
}

function httpLoggerOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    genReqId: (request: IncomingMessage, response: ServerResponse) => {
      const incoming = request.headers['x-request-id'];
      const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
      response.setHeader('X-Request-Id', id);
      return id;
    },
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
    serializers: {
      req: (request: { id: string; method: string; url: string; remoteAddress?: string }) => ({
        id: request.id,
        method: request.method,
        url: pathOnly(request.url),
        remoteAddress: request.remoteAddress,
      }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      err: serializeError,
    },
    customLogLevel: (_request, response, error) =>
      error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
    quietReqLogger: true,
    autoLogging: { ignore: isDemoAssetRequest },
  };
}
