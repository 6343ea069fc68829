import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';

const SAMPLES = 3;
const RECALIBRATE_MS = 60_000;

export interface ClockSample {
  sentMs: number;
  serverMs: number;
  receivedMs: number;
}

/**
 * How far the database's clock is ahead of this process's, from the sample with the shortest round trip
 * (its reading is the least uncertain: off by at most half that round trip).
 */
export function clockOffsetMs(samples: ClockSample[]): number {
  const best = samples.reduce((a, b) => (b.receivedMs - b.sentMs < a.receivedMs - a.sentMs ? b : a));
  return best.serverMs - (best.sentMs + best.receivedMs) / 2;
}

/**
 * The time of the rules (cooldowns, windows, expiry, the order of verifications), read from the database's
 * clock so that every instance sharing a PostgreSQL agrees on it, whatever their own clocks say. `now()` stays
 * synchronous: the offset to the database's clock is measured at start-up and every minute, and a failed
 * measurement keeps the last one. Instances agree to within half a round trip to the database. On SQLite
 * every process sharing the file runs on one machine, hence one clock: no offset.
 */
@Injectable()
export class DatabaseClock extends Clock implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DatabaseClock.name);
  private offsetMs = 0;
  private timer?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.dataSource.options.type !== 'postgres') return;
    await this.calibrate();
    this.timer = setInterval(() => void this.calibrate(), RECALIBRATE_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async calibrate(): Promise<void> {
    try {
      const samples: ClockSample[] = [];
      for (let i = 0; i < SAMPLES; i += 1) {
        const sentMs = Date.now();
        const [{ now }] = (await this.dataSource.query('SELECT now() AS now')) as [{ now: Date }];
        samples.push({ sentMs, serverMs: new Date(now).getTime(), receivedMs: Date.now() });
      }
      const offset = clockOffsetMs(samples);
      if (Math.abs(offset - this.offsetMs) > 1000) {
        this.logger.warn(
          { event: 'clock.offset', offsetMs: Math.round(offset) },
          'the database clock differs',
        );
      }
      this.offsetMs = offset;
    } catch {
      // The database is unavailable: keep the last offset (requests that need it get a 503 anyway).
    }
  }
}
