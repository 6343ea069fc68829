const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

/** Another connection holds the SQLite file's lock past the busy timeout (and every extended code of it). */
const SQLITE_WAIT = /^SQLITE_(BUSY|LOCKED)(_|$)/;

/** pg's and pg-pool's own errors, which carry no code: the driver's timeouts and lost connections. */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable|Connection is not established/i;

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, driverError } = error as { code?: unknown; driverError?: unknown };
  if (typeof code === 'string') return code;
  return driverError === undefined ? undefined : codeOf(driverError);
}

function messagesOf(error: unknown): string[] {
  if (!(error instanceof Error)) return [];
  const { driverError } = error as { driverError?: unknown };
  return [error.message, ...messagesOf(driverError)];
}

/** The database cannot be reached right now: the request may succeed later (`503`). */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || SQLITE_WAIT.test(code))) return true;
  return messagesOf(error).some((message) => UNAVAILABLE_MESSAGES.test(message));
}

/** A unique constraint or index refused the write (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE). */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The database refused a value the client sent (a NUL byte, an invalid encoding, a string too long). */
export function isInvalidInput(error: unknown): boolean {
  const code = codeOf(error);
  return code === '22021' || code === '22P05' || code === '22001' || code === 'SQLITE_TOOBIG';
}
