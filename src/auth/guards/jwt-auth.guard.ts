import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppError } from '../../common/app-error';
import { IS_PUBLIC_KEY } from '../../common/decorators/public.decorator';
import type { User } from '../../users/entities/user.entity';
import { BearerAuthenticator, BearerFailure } from '../bearer-authenticator';

/** Global: every route needs a valid access token unless marked `@Public()`. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: BearerAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<Request & { user?: User }>();
    // What the authenticator throws is not a refusal of the token (a database that does not answer is a 503,
    // anything else a 500): a valid token is never answered 401.
    const outcome = await this.authenticator.authenticate(request);
    if ('failure' in outcome) throw unauthorized(outcome.failure.reason);
    request.user = outcome.user;
    return true;
  }
}

/** RFC 6750 3: no error code when no token was sent; `invalid_token`, saying why, when one was. */
function unauthorized(reason: BearerFailure['reason']): AppError {
  if (reason === 'missing') {
    return new AppError('UNAUTHORIZED', 'A valid access token is required', { wwwAuthenticate: 'Bearer' });
  }
  const description =
    reason === 'expired'
      ? 'The access token expired'
      : 'The access token is invalid or its session has ended';
  return new AppError('UNAUTHORIZED', description, {
    wwwAuthenticate: `Bearer error="invalid_token", error_description="${description}"`,
  });
}
