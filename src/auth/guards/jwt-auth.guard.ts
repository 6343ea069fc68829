import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppError } from '../../common/app-error';
import { IS_PUBLIC_KEY } from '../../common/decorators/public.decorator';
import { isDatabaseUnavailable } from '../../database/database-errors';
import { BearerFailure } from '../strategies/bearer-token.strategy';

/** Global: every route needs a valid access token unless marked `@Public()`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false, info?: unknown): TUser {
    if (error && isDatabaseUnavailable(error)) throw error;
    if (error || !user) throw unauthorized(error ? 'invalid' : reasonOf(info));
    return user;
  }
}

function reasonOf(info: unknown): BearerFailure['reason'] {
  const reason = (info as Partial<BearerFailure> | undefined)?.reason;
  return reason === 'missing' || reason === 'expired' ? reason : 'invalid';
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
