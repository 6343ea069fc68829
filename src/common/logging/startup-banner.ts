import type { DatabaseConfig } from '../../config/database.config';
import { DEV_CODE_PREFIX } from './pretty';

export interface StartupFacts {
  host: string;
  port: number;
  provider: string;
  database: DatabaseConfig;
  redisUrl?: string;
  demoUi: boolean;
}

export interface StartupBanner {
  /** One short line, for JSON logs and for anything waiting for the service to listen. */
  message: string;
  /** What a person needs first, one fact per line, for a terminal. */
  lines: string[];
  /** The same facts as fields of the JSON line. */
  fields: Record<string, string | undefined>;
}

const ANY_ADDRESS = new Set(['0.0.0.0', '::', '']);

/** The URL a person on this machine opens: `localhost` when the service listens on every address. */
export function baseUrl(host: string, port: number): string {
  const name = ANY_ADDRESS.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/** A connection URL without its user name and password. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    // Not a URL we can take apart: show only its scheme rather than risk showing a password.
    return `${url.split(':')[0]}://…`;
  }
}

export function describeDatabase(database: DatabaseConfig): string {
  return database.type === 'sqlite' ? `sqlite:${database.file}` : withoutCredentials(database.url);
}

function describeProvider(provider: string): string {
  if (provider === 'log') {
    return `log (nothing is sent: each code is written to this log, on a highlighted line "${DEV_CODE_PREFIX}…")`;
  }
  return provider;
}

export function startupBanner(facts: StartupFacts): StartupBanner {
  const api = baseUrl(facts.host, facts.port);
  const demo = facts.demoUi ? `${api}/` : undefined;
  const fields = {
    event: 'service.ready',
    api,
    docs: `${api}/docs`,
    openapi: `${api}/docs-json`,
    demo,
    provider: facts.provider,
    codes: facts.provider === 'log' ? `in this log, on lines "${DEV_CODE_PREFIX}…"` : undefined,
    database: describeDatabase(facts.database),
    redis: facts.redisUrl ? withoutCredentials(facts.redisUrl) : undefined,
  };
  const rows: [string, string | undefined][] = [
    ['Demo', demo],
    ['API', api],
    ['Docs', `${fields.docs}  (OpenAPI document: ${fields.openapi})`],
    ['Provider', describeProvider(facts.provider)],
    ['Database', fields.database],
    ['Redis', fields.redis],
  ];
  const lines = rows
    .filter((row): row is [string, string] => row[1] !== undefined)
    .map(([label, value]) => `  ${label.padEnd(9)} ${value}`);
  const message = `listening on port ${facts.port}: ${demo ?? api}`;
  return { message, lines: [`Identity service ${message}`, ...lines], fields };
}
