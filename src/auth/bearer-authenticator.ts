import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { errors, JWTPayload } from 'jose';
import { Clock } from '../common/clock';
import { RequestWithSession, SessionContext } from '../common/decorators/current-session.decorator';
import { authConfig } from '../config';
import { User } from '../users/entities/user.entity';
import { SigningKeys } from './keys/signing-keys';
import { VerifiedTokens } from './keys/verified-tokens';
import { SessionsRepository } from './sessions.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REQUIRED_CLAIMS = ['sub', 'sid', 'auth_time', 'iat', 'exp'];
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Why a request was not authenticated; the guard turns it into the `WWW-Authenticate` challenge. */
export interface BearerFailure {
  reason: 'missing' | 'invalid' | 'expired';
}

export type BearerOutcome = { user: User } | { failure: BearerFailure };

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 2.1), or undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/** The parts of verified claims that name the user and the session, or null when they are malformed. */
export function sessionClaimsOf(payload: JWTPayload): (SessionContext & { userId: string }) | null {
  const { sub, sid, auth_time: authTime } = payload;
  if (typeof sub !== 'string' || !UUID.test(sub)) return null;
  if (typeof sid !== 'string' || !UUID.test(sid)) return null;
  if (typeof authTime !== 'number' || !Number.isInteger(authTime) || authTime < 0) return null;
  return { userId: sub, sessionId: sid, authTime: new Date(authTime * 1000) };
}

/** The password was given at most `maxAgeSeconds` ago. */
export function isRecent(authTime: Date, now: Date, maxAgeSeconds: number): boolean {
  return now.getTime() - authTime.getTime() <= maxAgeSeconds * 1000;
}

/**
 * Where an access token becomes a user: the signature, algorithm, key, issuer, audience and expiry are
 * checked by jose with this service's keys, then one query reads the user together with the session, so a
 * revoked session is refused at once. Database failures are thrown: a good token is never called bad because
 * the database did not answer.
 */
@Injectable()
export class BearerAuthenticator {
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly keys: SigningKeys,
    private readonly sessions: SessionsRepository,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  async authenticate(request: Request): Promise<BearerOutcome> {
    const header = request.headers.authorization;
    const token = bearerTokenOf(header);
    // A header that is present but not a bearer token counts as an invalid token, not a missing one.
    if (token === undefined) return { failure: { reason: header === undefined ? 'missing' : 'invalid' } };
    let payload: JWTPayload;
    try {
      payload = await this.verified.verify(token, () =>
        this.keys.verify(token, {
          issuer: this.config.issuer,
          audience: this.config.audience,
          requiredClaims: REQUIRED_CLAIMS,
        }),
      );
    } catch (error) {
      return { failure: { reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' } };
    }
    const claims = sessionClaimsOf(payload);
    if (!claims) return { failure: { reason: 'invalid' } };
    const now = this.clock.now();
    const user = await this.sessions.findUserOfActiveSession(claims.userId, claims.sessionId, now);
    if (!user) return { failure: { reason: 'invalid' } };
    (request as RequestWithSession).authSession = {
      sessionId: claims.sessionId,
      authTime: claims.authTime,
      recentlyAuthenticated: isRecent(claims.authTime, now, this.config.reauthMaxAgeSeconds),
    };
    return { user };
  }
}
