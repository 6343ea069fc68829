import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { verifyConfig } from '../config';
import { countryOf } from './country';
import { processMetricsRegistry } from './process-metrics';

export type LoginResult = 'success' | 'invalid_credentials' | 'rate_limited';

/** One country's share of sends approved over the last hour. */
export interface CountryConversion {
  country: string;
  sends: number;
  approvals: number;
}

/** A number and the channel of a verification, as the service's log events name them. */
export interface VerificationTarget {
  phoneE164: string;
  channel: string;
}

/**
 * The service's Prometheus metrics, in a registry of this app (tests boot many apps in one process). Label
 * values come from fixed lists, the channel and the country: never a number, an email or an id.
 */
@Injectable()
export class IdentityMetrics {
  readonly registry = new Registry();

  private readonly sends = new Counter({
    name: 'identity_verification_sends_total',
    help: 'Codes the provider was asked to send, by outcome (sent, or why the provider did not)',
    labelNames: ['provider', 'channel', 'country', 'result'] as const,
    registers: [this.registry],
  });

  private readonly checks = new Counter({
    name: 'identity_verification_checks_total',
    help: 'Codes judged, by outcome (approved, wrong_code, expired, ...)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  private readonly approvals = new Counter({
    name: 'identity_verification_approvals_total',
    help: 'Phone numbers confirmed',
    labelNames: ['channel', 'country'] as const,
    registers: [this.registry],
  });

  private readonly logins = new Counter({
    name: 'identity_logins_total',
    help: 'Login attempts by outcome',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  private readonly pumpingAlarms = new Counter({
    name: 'identity_verification_pumping_alarms_total',
    help: 'Times a country was suspected of SMS pumping (at most once per country per hour)',
    labelNames: ['country'] as const,
    registers: [this.registry],
  });

  private readonly pumpingBlocks = new Counter({
    name: 'identity_verification_pumping_blocks_total',
    help: 'Sends refused because the pumping guard blocks their country',
    labelNames: ['country'] as const,
    registers: [this.registry],
  });

  private readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template ("unmatched" when no route took the request)',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private conversionSource: () => Promise<CountryConversion[]> = () => Promise.resolve([]);

  constructor(@Inject(verifyConfig.KEY) private readonly verify: ConfigType<typeof verifyConfig>) {
    const source = () => this.conversionSource();
    new Gauge({
      name: 'identity_verification_conversion_ratio',
      help: 'Approvals per send over the last hour, by country (across instances when Redis is shared)',
      labelNames: ['country'] as const,
      registers: [this.registry],
      async collect() {
        const conversions = await source();
        this.reset();
        for (const { country, sends, approvals } of conversions)
          if (sends > 0) this.set({ country }, Math.min(1, approvals / sends));
      },
    });
  }

  /** Where the conversion gauge reads its counts at each scrape (the pumping guard's counters). */
  setConversionSource(source: () => Promise<CountryConversion[]>): void {
    this.conversionSource = source;
  }

  /** Counts a verification outcome as the service logs it: `verification.start` or `verification.check`. */
  verificationEvent(event: string, target: VerificationTarget, outcome: string): void {
    if (event === 'verification.start') {
      this.sends.inc({
        provider: this.verify.provider,
        channel: target.channel,
        country: countryOf(target.phoneE164),
        result: outcome,
      });
    } else if (event === 'verification.check') {
      this.checks.inc({ result: outcome });
      if (outcome === 'approved')
        this.approvals.inc({ channel: target.channel, country: countryOf(target.phoneE164) });
    }
  }

  login(result: LoginResult): void {
    this.logins.inc({ result });
  }

  pumpingAlarm(country: string): void {
    this.pumpingAlarms.inc({ country });
  }

  pumpingBlock(country: string): void {
    this.pumpingBlocks.inc({ country });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** The Prometheus text of this app's metrics followed by the process's. */
  async render(): Promise<string> {
    return (await this.registry.metrics()) + (await processMetricsRegistry().metrics());
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
