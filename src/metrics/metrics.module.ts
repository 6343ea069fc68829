import { Global, Module } from '@nestjs/common';
import { IdentityMetrics } from './identity-metrics';
import { MetricsController } from './metrics.controller';

/** `GET /metrics` and the recorder every module counts through. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [IdentityMetrics],
  exports: [IdentityMetrics],
})
export class MetricsModule {}
