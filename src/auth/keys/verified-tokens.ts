import type { JWTPayload } from 'jose';

const DEFAULT_CAPACITY = 10_000;

/**
 * Access tokens whose signature and claims were verified, kept until their `exp`: a client sends the same
 * token with every request for its whole lifetime, and an ECDSA verification costs more than the rest of
 * the token check. Only the verification is remembered: the session and the user are still read on every
 * request, so logout, revocation and deletion take effect at once. Keyed by the exact token text; failures
 * are never kept; the least recently used entry goes first when full.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { payload: JWTPayload; expiresAtMs: number }>();

  constructor(
    private readonly capacity = DEFAULT_CAPACITY,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: string, verify: () => Promise<JWTPayload>): Promise<JWTPayload> {
    const entry = this.entries.get(token);
    if (entry && entry.expiresAtMs > this.now()) {
      this.entries.delete(token);
      this.entries.set(token, entry);
      return entry.payload;
    }
    if (entry) this.entries.delete(token);
    const payload = await verify();
    if (typeof payload.exp === 'number') {
      this.entries.set(token, { payload, expiresAtMs: payload.exp * 1000 });
      if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    return payload;
  }
}
