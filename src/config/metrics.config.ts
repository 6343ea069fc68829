import { registerAs } from '@nestjs/config';
import { IsOptional, Matches } from 'class-validator';
import { readEnv } from './validate-config';

class MetricsEnv {
  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,256}$/, {
    message: 'METRICS_TOKEN must be 16 to 256 visible ASCII characters',
  })
  METRICS_TOKEN?: string;
}

export const metricsConfig = registerAs('metrics', () => {
  const env = readEnv(MetricsEnv);
  return {
    /** Bearer token that `GET /metrics` requires; `undefined` leaves the route open. */
    token: env.METRICS_TOKEN,
  };
});

export type MetricsConfig = ReturnType<typeof metricsConfig>;
