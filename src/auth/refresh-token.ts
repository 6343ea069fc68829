import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, base64url: opaque to the client, unguessable, and never stored as such. */
export function generateRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The only form in which a refresh token is stored. Unsalted on purpose: 256 random bits need no salt. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What the database knows of a presented refresh token. */
export interface StoredRefreshToken {
  expiresAt: Date;
  spentAt: Date | null;
  /** The session has not been revoked (logout, password change, reuse). */
  sessionActive: boolean;
}

/**
 * - `rotate`: unspent and valid, exchange it for a new one;
 * - `grace`: spent moments ago (two tabs refreshing together), serve it once more with a new token;
 * - `reuse`: spent earlier, so someone else holds a copy: revoke the session;
 * - `invalid`: unknown, expired, or its session has ended.
 */
export type RefreshVerdict = 'rotate' | 'grace' | 'reuse' | 'invalid';

export function judgeRefresh(
  token: StoredRefreshToken | null,
  now: Date,
  reuseIntervalSeconds: number,
): RefreshVerdict {
  if (!token || !token.sessionActive || token.expiresAt.getTime() <= now.getTime()) return 'invalid';
  if (token.spentAt === null) return 'rotate';
  return now.getTime() - token.spentAt.getTime() <= reuseIntervalSeconds * 1000 ? 'grace' : 'reuse';
}
