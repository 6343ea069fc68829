import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, IsNull, LessThanOrEqual } from 'typeorm';
import { AppError, AppErrorOptions } from '../common/app-error';
import { Clock } from '../common/clock';
import { ErrorCode } from '../common/error-codes';
import { isUniqueViolation } from '../database/database-errors';
import { ExpiredRows } from '../database/expired-rows';
import { TransactionRunner } from '../database/transaction-runner';
import { IdempotencyRecord } from './idempotency-record.entity';
import { requestHash } from './idempotency-key';

const POLL_MS = 50;

export interface IdempotentRequest {
  userId: string;
  key: string;
  body: unknown;
  /** How long the first answer is replayed. */
  ttlSeconds: number;
  /** How long a repeat waits for a first request still in progress. */
  maxWaitMs: number;
  /** The status of a successful answer, recorded with it. */
  successStatus: number;
}

type StoredAnswer =
  { ok: true; body: unknown } | { ok: false; code: ErrorCode; message: string; options: AppErrorOptions };

/**
 * Runs a request once per user and key: repeats get the first answer (success or error) without running it
 * again. The key's row is taken before the work starts, under a unique key, so parallel repeats on any instance
 * wait for the first answer instead of running the work themselves.
 */
@Injectable()
export class IdempotencyService {
  private readonly expired: ExpiredRows;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {
    this.expired = new ExpiredRows(dataSource, IdempotencyRecord, ['userId', 'key']);
  }

  /** Deletes at most `limit` keys of any user whose replay window has passed; answers how many. */
  deleteExpired(now: Date, limit: number): Promise<number> {
    return this.expired.delete(this.transactions, now, limit);
  }

  async run<T>(request: IdempotentRequest, work: () => Promise<T>): Promise<T> {
    const hash = requestHash(request.body);
    const deadline = Date.now() + request.maxWaitMs;
    while (!(await this.claim(request, hash))) {
      const replayed = await this.replay<T>(request, hash, deadline);
      if (replayed.found) return replayed.body;
    }
    let answer: StoredAnswer;
    try {
      const body = await work();
      answer = { ok: true, body };
    } catch (error) {
      if (!(error instanceof AppError)) {
        // An answer nobody can rely on (a 500): the key is freed for a retry.
        await this.release(request).catch(() => undefined);
        throw error;
      }
      await this.record(request, error.status, {
        ok: false,
        code: error.code,
        message: error.message,
        options: error.options,
      });
      throw error;
    }
    await this.record(request, request.successStatus, answer);
    return answer.body as T;
  }

  /** Takes the key for this request; false when it is already taken (and still live). */
  private async claim(request: IdempotentRequest, hash: string): Promise<boolean> {
    const now = this.clock.now();
    try {
      await this.transactions.run(async (manager) => {
        await manager.delete(IdempotencyRecord, { userId: request.userId, expiresAt: LessThanOrEqual(now) });
        await manager.insert(IdempotencyRecord, {
          userId: request.userId,
          key: request.key,
          requestHash: hash,
          statusCode: null,
          answer: null,
          createdAt: now,
          expiresAt: new Date(now.getTime() + request.ttlSeconds * 1000),
        });
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /**
   * The first answer, once there is one. `found: false` when the key was freed (the first request failed
   * unexpectedly) or expired meanwhile: this request may then take it.
   */
  private async replay<T>(
    request: IdempotentRequest,
    hash: string,
    deadline: number,
  ): Promise<{ found: true; body: T } | { found: false }> {
    for (;;) {
      const record = await this.dataSource.manager.findOneBy(IdempotencyRecord, {
        userId: request.userId,
        key: request.key,
      });
      if (!record || record.expiresAt <= this.clock.now()) return { found: false };
      if (record.requestHash !== hash) {
        throw new AppError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was used with another request: use a new key for a new request',
        );
      }
      if (record.statusCode !== null && record.answer !== null) {
        const answer = JSON.parse(record.answer) as StoredAnswer;
        if (answer.ok) return { found: true, body: answer.body as T };
        throw new AppError(answer.code, answer.message, answer.options);
      }
      if (Date.now() >= deadline) {
        throw new AppError('RATE_LIMITED', 'The first request with this Idempotency-Key is still running', {
          retryAfterSeconds: 1,
        });
      }
      await sleep(POLL_MS);
    }
  }

  private async record(request: IdempotentRequest, statusCode: number, answer: StoredAnswer): Promise<void> {
    await this.transactions.run((manager) =>
      manager.update(
        IdempotencyRecord,
        { userId: request.userId, key: request.key, statusCode: IsNull() },
        { statusCode, answer: JSON.stringify(answer) },
      ),
    );
  }

  private async release(request: IdempotentRequest): Promise<void> {
    await this.transactions.run((manager) =>
      manager.delete(IdempotencyRecord, { userId: request.userId, key: request.key, statusCode: IsNull() }),
    );
  }
}
