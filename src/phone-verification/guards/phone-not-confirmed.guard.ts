import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppError } from '../../common/app-error';
import type { User } from '../../users/entities/user.entity';

/** Only users whose number is not yet confirmed may start or check a verification (after the global JWT guard). */
@Injectable()
export class PhoneNotConfirmedGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const { user } = context.switchToHttp().getRequest<Request & { user?: User }>();
    if (user?.phoneConfirmed) {
      throw new AppError('PHONE_ALREADY_CONFIRMED', 'The phone number is already confirmed');
    }
    return true;
  }
}
