import { createHash } from 'node:crypto';
import { AppError } from '../common/app-error';

const HEADER = 'Idempotency-Key';
const VISIBLE_ASCII = /^[\x21-\x7e]{1,255}$/;

/** The header's value, or undefined when it was not sent. @throws AppError `VALIDATION_FAILED` when malformed */
export function parseIdempotencyKey(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && VISIBLE_ASCII.test(value)) return value;
  const message = `${HEADER} must be 1 to 255 visible ASCII characters`;
  throw new AppError('VALIDATION_FAILED', message, {
    extra: { details: [{ field: HEADER, messages: [message] }] },
  });
}

/** A digest of a request body that does not depend on the order of its properties. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
