import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

const SAFE_REQUEST_ID = /^[\w.-]{1,64}$/;

type Level = 'info' | 'warn' | 'error';
type LogMethod = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** The request id a client sent, when it is safe to echo and log; otherwise a new one. */
export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The level of a request's line: `error` for a 5xx, `warn` for a 4xx. */
export function requestLineLevel(statusCode: number): Level {
  return statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
}

/**
 * The path of a request URL without its query string: a client may put a token there by mistake
 * (`?access_token=`), and whatever is in a log line is kept, shipped and read by many.
 */
export function pathOnly(url: string): string {
  const query = url.search(/[?#]/);
  return query === -1 ? url : url.slice(0, query);
}

/** The one line written per request, when its answer has been sent or the client has gone. */
export function requestLine(
  id: string,
  request: Pick<IncomingMessage, 'method' | 'url' | 'socket'>,
  statusCode: number,
  responseTime: number,
  completed: boolean,
): { level: Level; fields: Record<string, unknown>; message: string } {
  const fields: Record<string, unknown> = {
    reqId: id,
    req: {
      id,
      method: request.method,
      url: pathOnly(request.url ?? ''),
      remoteAddress: request.socket?.remoteAddress,
    },
    res: { statusCode },
    responseTime,
  };
  if (statusCode >= 500) {
    fields.err = { type: 'Error', message: `failed with status code ${statusCode}` };
    return { level: 'error', fields, message: 'request errored' };
  }
  return {
    level: requestLineLevel(statusCode),
    fields,
    message: completed ? 'request completed' : 'request aborted',
  };
}

/**
 * The logger of one request's own lines (`reqId` on each), made on the first line: most requests log nothing
 * but their request line, and a child logger per request is a large part of a request's cost.
 */
export class RequestScopedLogger {
  private made?: Logger;

  constructor(
    private readonly root: Logger,
    readonly reqId: string,
  ) {}

  get logger(): Logger {
    return (this.made ??= this.root.child({ reqId: this.reqId }));
  }

  trace(...args: unknown[]): void {
    this.call('trace', args);
  }
  debug(...args: unknown[]): void {
    this.call('debug', args);
  }
  info(...args: unknown[]): void {
    this.call('info', args);
  }
  warn(...args: unknown[]): void {
    this.call('warn', args);
  }
  error(...args: unknown[]): void {
    this.call('error', args);
  }
  fatal(...args: unknown[]): void {
    this.call('fatal', args);
  }
  child(bindings: Record<string, unknown>): Logger {
    return this.logger.child(bindings);
  }

  private call(method: LogMethod, args: unknown[]): void {
    // A line below the level is dropped without making the child.
    if (!this.root.isLevelEnabled(method)) return;
    (this.logger[method] as (...line: unknown[]) => void)(...args);
  }
}

export interface RequestLoggingOptions {
  /** The service's logger (redaction, serializers): the parent of a request's own lines. */
  root: Logger;
  /**
   * The logger of request lines: the same destination, without redaction or serializers, because a request line
   * holds only the fields built by {@link requestLine} (never headers, bodies or the query string).
   */
  lines: Logger;
  /** Requests that get no request line (the demo client's files). */
  ignore: (request: IncomingMessage) => boolean;
}

/**
 * Gives every request its id (`X-Request-Id`) and its logger (`request.log`, which nestjs-pino binds to the
 * request's context), and writes one line per request when it ends.
 */
export function requestLogging({ root, lines, ignore }: RequestLoggingOptions): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const id = requestIdOf(request.headers['x-request-id']);
    response.setHeader('X-Request-Id', id);
    const scoped = request as unknown as { id: string; log: unknown };
    scoped.id = id;
    scoped.log = new RequestScopedLogger(root, id);
    if (!ignore(request)) {
      const started = Date.now();
      const end = () => {
        response.off('finish', end);
        response.off('close', end);
        const completed = !request.readableAborted && response.writableEnded;
        const line = requestLine(id, request, response.statusCode, Date.now() - started, completed);
        lines[line.level](line.fields, line.message);
      };
      response.on('finish', end);
      response.on('close', end);
    }
    next();
  };
}
