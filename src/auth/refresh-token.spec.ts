import {
  generateRefreshToken,
  hashRefreshToken,
  judgeRefresh,
  RefreshVerdict,
  StoredRefreshToken,
} from './refresh-token';

const NOW = new Date('2026-01-01T12:00:00.000Z');
const REUSE_INTERVAL = 10;
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);
const inFuture = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const token = (overrides: Partial<StoredRefreshToken> = {}): StoredRefreshToken => ({
  expiresAt: inFuture(3600),
  spentAt: null,
  sessionActive: true,
  ...overrides,
});

describe('judgeRefresh', () => {
  it.each<[string, StoredRefreshToken | null, RefreshVerdict]>([
    ['an unspent token of a running session', token(), 'rotate'],
    ['an unknown token', null, 'invalid'],
    ['an expired token', token({ expiresAt: ago(1) }), 'invalid'],
    ['a token expiring this very moment', token({ expiresAt: NOW }), 'invalid'],
    ['a token of a revoked session', token({ sessionActive: false }), 'invalid'],
    ['a spent token of a revoked session', token({ sessionActive: false, spentAt: ago(60) }), 'invalid'],
    ['a token spent just now (a second tab)', token({ spentAt: NOW }), 'grace'],
    ['a token spent within the reuse interval', token({ spentAt: ago(REUSE_INTERVAL) }), 'grace'],
    ['a token spent just past the reuse interval', token({ spentAt: ago(REUSE_INTERVAL + 0.001) }), 'reuse'],
    ['a token spent an hour ago', token({ spentAt: ago(3600) }), 'reuse'],
    ['a spent token that has expired since', token({ spentAt: ago(7200), expiresAt: ago(1) }), 'invalid'],
  ])('%s: %s', (_label, stored, verdict) => {
    expect(judgeRefresh(stored, NOW, REUSE_INTERVAL)).toBe(verdict);
  });

  it('with a reuse interval of 0, treats any second use as reuse', () => {
    expect(judgeRefresh(token({ spentAt: ago(0.001) }), NOW, 0)).toBe('reuse');
  });
});

describe('refresh token values', () => {
  it('are 256 random bits in base64url, all different', () => {
    const tokens = Array.from({ length: 100 }, generateRefreshToken);
    for (const value of tokens) {
      expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(value, 'base64url')).toHaveLength(32);
    }
    expect(new Set(tokens).size).toBe(100);
  });

  it('are stored as a SHA-256 that reveals nothing of them', () => {
    const value = generateRefreshToken();
    const hash = hashRefreshToken(value);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(value);
    expect(hashRefreshToken(value)).toBe(hash);
    expect(hashRefreshToken(generateRefreshToken())).not.toBe(hash);
  });
});
