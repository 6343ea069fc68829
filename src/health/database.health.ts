import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { HealthIndicatorResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { DatabaseAvailability } from '../database/database-availability';

/**
 * The database answers a ping. When the last round trip went unanswered, readiness says so at once instead of
 * waiting for a ping to time out, and one ping at a time runs in the background: its answer (or any
 * request's) ends the outage.
 */
@Injectable()
export class DatabaseHealthIndicator {
  private probe: Promise<unknown> | null = null;

  constructor(
    private readonly availability: DatabaseAvailability,
    private readonly ping: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async pingCheck(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    if (!this.availability.unavailable) return this.ping.pingCheck(key, { timeout: timeoutMs });
    this.probe ??= this.dataSource
      .query('SELECT 1')
      .catch(() => undefined)
      .finally(() => (this.probe = null));
    return this.indicators.check(key).down({ message: 'The database does not answer' });
  }
}
