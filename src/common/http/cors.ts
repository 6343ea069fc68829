import { Logger } from '@nestjs/common';
import type {
  CorsOptions,
  CorsOptionsDelegate,
} from '@nestjs/common/interfaces/external/cors-options.interface';
import type { Request } from 'express';

/** Each distinct warning at most once a minute: a refused browser app retries on every click. */
export const WARNING_INTERVAL_MS = 60_000;
const MAX_REMEMBERED_WARNINGS = 1000;
const MAX_LOGGED_ORIGIN_LENGTH = 200;

/** Lets a warning through once per key per interval, remembering a bounded number of keys. */
export class WarningGate {
  private readonly lastWarned = new Map<string, number>();

  constructor(
    private readonly intervalMs = WARNING_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  allow(key: string): boolean {
    const now = this.now();
    const last = this.lastWarned.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    // A client sending a new Origin on every request must not grow this map without bound.
    if (this.lastWarned.size >= MAX_REMEMBERED_WARNINGS) this.lastWarned.clear();
    this.lastWarned.set(key, now);
    return true;
  }
}

export interface CorsSettings {
  origins: string[];
  allowedHeaders: string[];
}

export type CorsVerdict =
  | { kind: 'none' }
  | { kind: 'same-origin' }
  | { kind: 'allowed'; missingHeaders: string[] }
  | { kind: 'refused' };

/** What to do with a request's `Origin`, and which preflight-requested headers are not allowed. */
export function judgeOrigin(
  settings: CorsSettings,
  request: { origin?: string; host?: string; fetchSite?: string; requestedHeaders?: string },
): CorsVerdict {
  const { origin } = request;
  if (!origin) return { kind: 'none' };
  if (settings.origins.includes(origin)) {
    const allowed = new Set(settings.allowedHeaders.map((name) => name.toLowerCase()));
    const missingHeaders = (request.requestedHeaders ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name.length > 0 && !allowed.has(name));
    return { kind: 'allowed', missingHeaders };
  }
  if (request.fetchSite === 'same-origin' || hostOf(origin) === request.host?.toLowerCase()) {
    return { kind: 'same-origin' };
  }
  return { kind: 'refused' };
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * CORS for the configured origins, answered on every route (so a refused preflight gets a CORS answer rather
 * than a 404), with a warning that names the variable to set when a browser app is refused.
 */
export function corsOptionsDelegate(
  settings: CorsSettings,
  logger = new Logger('Cors'),
  gate = new WarningGate(),
): CorsOptionsDelegate<Request> {
  const base: CorsOptions = {
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: settings.allowedHeaders,
    exposedHeaders: ['Retry-After', 'X-Request-Id', 'WWW-Authenticate'],
    maxAge: 600,
  };
  return (request, callback) => {
    const verdict = judgeOrigin(settings, {
      origin: request.headers.origin,
      host: request.headers.host,
      fetchSite: headerValue(request.headers['sec-fetch-site']),
      requestedHeaders: headerValue(request.headers['access-control-request-headers']),
    });
    const origin = (request.headers.origin ?? '').slice(0, MAX_LOGGED_ORIGIN_LENGTH);
    if (verdict.kind === 'refused') warnRefusedOrigin(logger, gate, origin);
    if (verdict.kind === 'allowed' && verdict.missingHeaders.length > 0) {
      warnMissingHeaders(logger, gate, origin, verdict.missingHeaders);
    }
    // An empty list (rather than `false`) still answers a refused preflight, without Allow-Origin, instead of a 404.
    callback(null, { ...base, origin: verdict.kind === 'allowed' ? true : [] });
  };
}

function warnRefusedOrigin(logger: Logger, gate: WarningGate, origin: string): void {
  if (!gate.allow(`origin ${origin}`)) return;
  const advice =
    origin === 'null'
      ? 'a page opened from a file or a sandboxed frame has no origin that can be allowed: serve it over http(s)'
      : `to allow it, add it to CORS_ORIGINS (e.g. CORS_ORIGINS=${origin})`;
  logger.warn(
    { event: 'cors.origin_refused', origin, variable: 'CORS_ORIGINS' },
    `CORS: refused a browser request from origin ${origin}, which is not in CORS_ORIGINS; ${advice}`,
  );
}

function warnMissingHeaders(logger: Logger, gate: WarningGate, origin: string, headers: string[]): void {
  if (!gate.allow(`headers ${origin} ${headers.join(',')}`)) return;
  logger.warn(
    { event: 'cors.headers_refused', origin, headers, variable: 'CORS_ALLOWED_HEADERS' },
    `CORS: a preflight from ${origin} asked to send ${headers.join(', ')}, not allowed; ` +
      `to allow it, set CORS_ALLOWED_HEADERS=${headers.join(',')}`,
  );
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
