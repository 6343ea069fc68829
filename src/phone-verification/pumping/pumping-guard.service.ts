import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type Redis from 'ioredis';
import { AppError } from '../../common/app-error';
import { Clock } from '../../common/clock';
import { REDIS_CLIENT } from '../../common/rate-limit/rate-limit.module';
import { pumpingConfig } from '../../config';
import { IdentityMetrics } from '../../metrics/identity-metrics';
import {
  ConversionCounters,
  FallbackConversionCounters,
  MemoryConversionCounters,
  RedisConversionCounters,
} from './conversion-counters';
import { conversionOf, ConversionTotals, isPumpingSuspected } from './pumping-rule';

/**
 * The SMS-pumping guard: counts sends and approvals per country over the last hour (shared through Redis when
 * configured), raises an alarm once per country per hour when too few sends end approved, and in `block` mode
 * refuses new sends to that country until its conversion recovers.
 */
@Injectable()
export class PumpingGuard {
  private readonly logger = new Logger('PumpingGuard');
  private readonly counters: ConversionCounters;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis | null,
    @Inject(pumpingConfig.KEY) private readonly config: ConfigType<typeof pumpingConfig>,
    private readonly clock: Clock,
    private readonly metrics: IdentityMetrics,
  ) {
    const local = new MemoryConversionCounters();
    this.counters = redis ? new FallbackConversionCounters(new RedisConversionCounters(redis), local) : local;
    metrics.setConversionSource(() => this.conversions());
  }

  /** @throws AppError `DESTINATION_BLOCKED` in `block` mode while `country` looks pumped. */
  async assertSendAllowed(country: string): Promise<void> {
    if (this.config.mode !== 'block') return;
    const now = this.clock.now();
    const totals = await this.counters.totals(country, now);
    if (!isPumpingSuspected(totals, this.config)) return;
    await this.alarmOnce(country, totals, now);
    this.metrics.pumpingBlock(country);
    this.logger.warn({ event: 'verification.pumping_blocked', country, ...totals });
    throw new AppError(
      'DESTINATION_BLOCKED',
      'Sending codes to numbers of this country is paused: try again later',
    );
  }

  /** A code went out to `country`; judged at once, so the alarm comes with the send that crossed the line. */
  async recordSend(country: string): Promise<void> {
    const now = this.clock.now();
    await this.counters.add('send', country, now);
    if (this.config.mode === 'off') return;
    const totals = await this.counters.totals(country, now);
    if (isPumpingSuspected(totals, this.config)) await this.alarmOnce(country, totals, now);
  }

  async recordApproval(country: string): Promise<void> {
    await this.counters.add('approval', country, this.clock.now());
  }

  /** Sends and approvals of every country active in the last hour, for the conversion gauge. */
  async conversions(): Promise<Array<ConversionTotals & { country: string }>> {
    const now = this.clock.now();
    const countries = await this.counters.countries(now);
    return Promise.all(
      countries.map(async (country) => ({ country, ...(await this.counters.totals(country, now)) })),
    );
  }

  private async alarmOnce(country: string, totals: ConversionTotals, now: Date): Promise<void> {
    if (!(await this.counters.claimAlarm(country, now))) return;
    this.metrics.pumpingAlarm(country);
    this.logger.error({
      event: 'verification.pumping_suspected',
      country,
      sends: totals.sends,
      approvals: totals.approvals,
      conversion: conversionOf(totals),
      minSends: this.config.minSends,
      minConversion: this.config.minConversion,
      action: this.config.mode,
    });
  }
}
