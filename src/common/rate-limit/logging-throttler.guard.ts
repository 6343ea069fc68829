import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';

/** The per-address request limit of every route, with one structured event per limit hit. */
@Injectable()
export class LoggingThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    this.logger.warn({
      event: 'rate_limit.hit',
      limit: 'requests_per_address',
      retryAfterSeconds: detail.timeToBlockExpire,
    });
    return super.throwThrottlingException(context, detail);
  }
}
