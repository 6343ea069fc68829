import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** The session of the access token that authenticated this request. */
export interface SessionContext {
  sessionId: string;
  /** When the user last gave their password in this session (the token's `auth_time`). */
  authTime: Date;
}

/** The session of this request, and whether the password was given recently enough for sensitive changes. */
export interface AuthenticatedSession extends SessionContext {
  /** `auth_time` is within `REAUTH_MAX_AGE_SECONDS`. */
  recentlyAuthenticated: boolean;
}

export type RequestWithSession = Request & { authSession?: AuthenticatedSession };

/** The session the access token belongs to, as the JWT guard found it on this request. */
export const CurrentSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedSession => {
    const session = context.switchToHttp().getRequest<RequestWithSession>().authSession;
    // Only reachable on a route marked @Public(), which has no session to give.
    if (!session) throw new Error('CurrentSession used on a route without an access token');
    return session;
  },
);
