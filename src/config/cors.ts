import { ConfigurationError, splitList } from './validate-config';

/** Request headers a browser client may always send: the token, JSON bodies, and retries made safe. */
export const DEFAULT_CORS_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'];

// RFC 9110 token characters: what a header name may be made of.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `CORS_ORIGINS` as the exact strings browsers send in `Origin` (`scheme://host[:port]`, lower-case, no default
 * port). A trailing slash, as copied from the address bar, is dropped; anything else that is not an origin (a
 * path, a query, `*`, credentials) stops the service, since it could never match and would fail silently.
 */
export function parseCorsOrigins(value: string | undefined): string[] {
  const origins = splitList(value).map(normalizeOrigin);
  return [...new Set(origins)];
}

function normalizeOrigin(entry: string): string {
  const refuse = (why: string): never => {
    throw new ConfigurationError(
      `CORS_ORIGINS holds "${entry}", which ${why}: give origins such as http://localhost:5173 or https://app.example.com`,
    );
  };
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return refuse('is not an origin');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse('is not http or https');
  if (url.username || url.password) refuse('carries credentials');
  if (url.pathname !== '/' || url.search || url.hash || /[?#]/.test(entry)) refuse('has a path');
  if (!/^https?:\/\/[^/]+\/?$/i.test(entry)) refuse('is not an origin');
  return url.origin;
}

/** `CORS_ALLOWED_HEADERS`: extra request header names (e.g. `traceparent`), on top of the defaults. */
export function parseCorsHeaders(value: string | undefined): string[] {
  const extra = splitList(value);
  const invalid = extra.filter((name) => !HEADER_NAME.test(name));
  if (invalid.length > 0) {
    throw new ConfigurationError(
      `CORS_ALLOWED_HEADERS must be comma-separated header names such as traceparent,tracestate (got "${invalid[0]}")`,
    );
  }
  const seen = new Set<string>();
  return [...DEFAULT_CORS_HEADERS, ...extra].filter((name) => {
    const key = name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
