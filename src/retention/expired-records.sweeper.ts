import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SessionsRepository } from '../auth/sessions.repository';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { IdempotencyService } from '../idempotency/idempotency.service';

export const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** The first sweep comes between one and two of these after start: instances restarted often still sweep. */
export const FIRST_SWEEP_MS = 2 * 60 * 1000;
/** Rows per statement: each delete, and the locks it holds, stays short. */
export const SWEEP_BATCH = 1000;

export interface SweepResult {
  sessions: number;
  idempotencyKeys: number;
}

/**
 * Deletes what has run out and nothing reads any more: sessions past their expiry (their refresh tokens with
 * them) and idempotency keys past their replay window. A user's own are also deleted when that user signs in or
 * sends again; this sweep takes those of users who do not come back. Every instance sweeps, about hourly, in
 * batches; a delete that another instance already made deletes nothing.
 */
@Injectable()
export class ExpiredRecordsSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpiredRecordsSweeper.name);
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly idempotency: IdempotencyService,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(FIRST_SWEEP_MS * (1 + Math.random()));
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One sweep: every expired row, batch after batch. A database fault is logged and left to the next sweep. */
  async sweep(batch = SWEEP_BATCH): Promise<SweepResult> {
    const result: SweepResult = { sessions: 0, idempotencyKeys: 0 };
    try {
      const now = this.clock.now();
      result.sessions = await this.inBatches(batch, () =>
        this.sessions.deleteExpired(this.transactions, now, batch),
      );
      result.idempotencyKeys = await this.inBatches(batch, () => this.idempotency.deleteExpired(now, batch));
    } catch (error) {
      this.logger.warn(
        { event: 'retention.sweep_failed', err: error },
        'Could not delete expired sessions and idempotency keys: the next sweep tries again',
      );
      return result;
    }
    if (result.sessions + result.idempotencyKeys > 0) {
      this.logger.log(
        { event: 'retention.swept', ...result },
        `Deleted ${result.sessions} expired sessions and ${result.idempotencyKeys} expired idempotency keys`,
      );
    }
    return result;
  }

  private async inBatches(batch: number, deleteBatch: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch();
      total += deleted;
      if (deleted < batch || this.stopped) return total;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.sweep().then(() => this.schedule(SWEEP_INTERVAL_MS));
    }, delayMs).unref();
  }
}
