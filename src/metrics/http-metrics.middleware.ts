import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { IdentityMetrics } from './identity-metrics';

/** The route label of requests no route took: unknown paths, and bodies refused before routing. */
export const UNMATCHED_ROUTE = 'unmatched';

// A middleware mounted for every path (`/{*path}`) leaves its route on requests that no handler took.
const CATCH_ALL = /^\/?(\{\*\w*\}|\*\w*|\(\.\*\))$/;

/** The route template (`/users/me/phone`), never the raw path, which may hold ids or anything a client sent. */
export function routeLabel(request: Pick<Request, 'baseUrl' | 'route'>): string {
  const path = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof path !== 'string' || CATCH_ALL.test(path)) return UNMATCHED_ROUTE;
  return `${request.baseUrl}${path}`;
}

/** One histogram observation per request, when its answer has been handed to the network. */
export function httpMetrics(metrics: IdentityMetrics): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = performance.now();
    response.once('finish', () =>
      metrics.observeRequest(
        request.method,
        routeLabel(request),
        response.statusCode,
        (performance.now() - started) / 1000,
      ),
    );
    next();
  };
}
