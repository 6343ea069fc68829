import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';

/** The per-address request limit of every route, with one structured event per limit hit. */
@Injectable()
export class LoggingThrottlerGuard extends ThrottlerGuard {
  /**
   * The counter of one route and one client address. The library hashes this text (SHA-256) on every request;
   * the text itself is as unique, and cheaper.
   */
  protected override generateKey(context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${context.getClass().name}-${context.getHandler().name}-${throttlerName}-${tracker}`;
  }

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
