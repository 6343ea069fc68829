import type { Request } from 'express';
import { Strategy } from 'passport-strategy';

/** Why a request was not authenticated; the guard turns it into the `WWW-Authenticate` challenge. */
export interface BearerFailure {
  reason: 'missing' | 'invalid' | 'expired';
}

type Done = (error: unknown, user?: unknown, info?: BearerFailure) => void;
type Verify = (request: Request, token: string, done: Done) => void;

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 2.1), or undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/**
 * A Passport strategy that hands the bearer token to a verify callback. Passport-jwt would verify with
 * jsonwebtoken; this one leaves verification to the callback (jose, with this service's keys).
 */
export class BearerTokenStrategy extends Strategy {
  name = 'bearer';

  constructor(private readonly verifyToken: Verify) {
    super();
  }

  override authenticate(request: Request): void {
    const token = bearerTokenOf(request.headers.authorization);
    if (token === undefined) {
      // A header that is present but not a bearer token counts as an invalid token, not a missing one.
      const failure: BearerFailure = {
        reason: request.headers.authorization === undefined ? 'missing' : 'invalid',
      };
      this.fail(failure, 401);
      return;
    }
    this.verifyToken(request, token, (error, user, info) => {
      if (error) this.error(error as Error);
      else if (!user) this.fail(info ?? { reason: 'invalid' }, 401);
      else this.success(user);
    });
  }
}
