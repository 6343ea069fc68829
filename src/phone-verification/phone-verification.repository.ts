import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { PreparedSql, SqlNames } from '../database/prepared-sql';
import type { TransactionRunner } from '../database/transaction-runner';
import { EventHistory, historyAt } from './policy/event-history';
import type { Channel } from './providers/verification-provider.interface';
import { CancelReason, PhoneVerification, VerificationStatus } from './entities/phone-verification.entity';
import { VerificationEvent, VerificationEventKind } from './entities/verification-event.entity';

export interface SendState {
  channel: Channel;
  lastSentAt: Date | null;
}

/** The events of one kind a rule reads: those since `since`, counted, and the k-th newest at `positions`. */
export interface EventWindow {
  kind: VerificationEventKind;
  since: Date;
  positions: readonly number[];
}

/**
 * The queries of the verification rules. Every counter moves with a conditional update, never in JavaScript.
 * The statements of every send are written out once (PreparedSql): the query builder cost more than they do.
 */
@Injectable()
export class PhoneVerificationRepository {
  private readonly pending: PreparedSql;
  private readonly sendRecorded: PreparedSql;
  private readonly eventAdded: PreparedSql;
  private readonly sendRecordedWithEvent: PreparedSql;
  private readonly referenceSet: PreparedSql;
  /** One statement per shape of the windows read (and whether the pending verification is read with them). */
  private readonly states = new Map<string, PreparedSql>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    const V = PhoneVerification;
    const E = VerificationEvent;
    this.pending = new PreparedSql(
      dataSource,
      ({ columns, table, column, parameter }) =>
        `SELECT ${columns('v')} FROM ${table(V)} v WHERE ${column(V, 'userId', 'v')} = ${parameter(0)}` +
        ` AND ${column(V, 'status', 'v')} = 'pending' LIMIT 1`,
      V,
    );
    const sendRecorded = ({ table, name, parameter }: SqlNames) =>
      `UPDATE ${table(V)} SET ${name(V, 'channel')} = ${parameter(0)}, ${name(V, 'lastSentAt')} = ${parameter(1)},` +
      ` ${name(V, 'sendCount')} = ${name(V, 'sendCount')} + 1, ${name(V, 'updatedAt')} = ${parameter(2)}` +
      ` WHERE ${name(V, 'id')} = ${parameter(3)}`;
    const eventAdded = ({ table, name, parameter }: SqlNames, first: number) => {
      const columns = ['id', 'verificationId', 'userId', 'kind', 'channel', 'createdAt'];
      return (
        `INSERT INTO ${table(E)} (${columns.map((property) => name(E, property)).join(', ')})` +
        ` VALUES (${columns.map((_, index) => parameter(first + index)).join(', ')})`
      );
    };
    this.sendRecorded = new PreparedSql(dataSource, sendRecorded);
    this.referenceSet = new PreparedSql(
      dataSource,
      ({ table, name, parameter }) =>
        `UPDATE ${table(V)} SET ${name(V, 'providerReference')} = ${parameter(0)} WHERE ${name(V, 'id')} = ${parameter(1)}`,
    );
    this.eventAdded = new PreparedSql(dataSource, (names) => eventAdded(names, 0));
    // PostgreSQL only: a data-modifying WITH.
    this.sendRecordedWithEvent = new PreparedSql(
      dataSource,
      (names) => `WITH sent AS (${sendRecorded(names)}) ${eventAdded(names, 4)}`,
    );
  }

  findLatest(
    userId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<PhoneVerification | null> {
    return manager.findOne(PhoneVerification, { where: { userId }, order: { createdAt: 'DESC' } });
  }

  findPending(userId: string, manager?: EntityManager): Promise<PhoneVerification | null> {
    return this.pending.one(PhoneVerification, [userId], manager);
  }

  /** Whether another account has a pending verification for this number (the provider holds one code for both). */
  async othersPendingFor(
    e164: string,
    userId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const count = await manager
      .createQueryBuilder(PhoneVerification, 'v')
      .where('v.phone_e164 = :e164 AND v.status = :pending AND v.user_id <> :userId', {
        e164,
        pending: 'pending',
        userId,
      })
      .andWhere('v.expires_at > :now', { now: new Date() })
      .getCount();
    return count > 0;
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<PhoneVerification | null> {
    return manager.findOneBy(PhoneVerification, { id });
  }

  async insert(manager: EntityManager, verification: PhoneVerification): Promise<void> {
    await manager.insert(PhoneVerification, verification);
  }

  async remove(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(PhoneVerification, { id });
  }

  async recordSend(manager: EntityManager, id: string, channel: Channel, at: Date): Promise<void> {
    const sql = this.sendRecorded;
    const time = sql.value(PhoneVerification, 'lastSentAt', at);
    await sql.run([channel, time, time, id], manager);
  }

  /**
   * `recordSend` and its `addEvent`: on PostgreSQL one statement (one round trip inside the transaction that
   * holds the user's lock), on SQLite the two. Answers the event's id.
   */
  async recordSendWithEvent(
    manager: EntityManager,
    verification: Pick<PhoneVerification, 'id' | 'userId'>,
    channel: Channel,
    at: Date,
  ): Promise<string> {
    if (this.dataSource.options.type !== 'postgres') {
      await this.recordSend(manager, verification.id, channel, at);
      return this.addEvent(manager, {
        verificationId: verification.id,
        userId: verification.userId,
        kind: 'send',
        channel,
        at,
      });
    }
    const id = randomUUID();
    const sql = this.sendRecordedWithEvent;
    const time = sql.value(PhoneVerification, 'lastSentAt', at);
    await sql.run(
      [channel, time, time, verification.id, id, verification.id, verification.userId, 'send', channel, time],
      manager,
    );
    return id;
  }

  /** Takes back a send the provider refused: only if no other send happened since. */
  async undoSend(manager: EntityManager, id: string, sentAt: Date, previous: SendState): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(PhoneVerification)
      .set({ channel: previous.channel, lastSentAt: previous.lastSentAt, sendCount: () => 'send_count - 1' })
      .where('id = :id AND last_sent_at = :sentAt', { id, sentAt })
      .execute();
  }

  /** Stores the provider's reference of a send: one statement, on its own (no transaction around it on PostgreSQL). */
  async setProviderReference(transactions: TransactionRunner, id: string, reference: string): Promise<void> {
    await transactions.runStatement(this.referenceSet, [reference, id]);
  }

  /** Moves a pending verification to `status`; false when it was no longer pending. */
  async endPending(
    manager: EntityManager,
    id: string,
    status: Exclude<VerificationStatus, 'pending'>,
    at: Date,
    cancelReason: CancelReason | null = null,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(PhoneVerification)
      .set({ status, cancelReason, updatedAt: at })
      .where('id = :id AND status = :pending', { id, pending: 'pending' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Records the provider's approval. A concurrent check may have marked the verification expired when the
   * provider, having just approved, answered it "not found": the approval still stands.
   */
  async approve(manager: EntityManager, id: string, at: Date): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(PhoneVerification)
      .set({ status: 'approved', cancelReason: null, updatedAt: at })
      .where('id = :id AND status IN (:...statuses)', { id, statuses: ['pending', 'expired'] })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Takes one of the `max` attempts of a pending verification; false when none is left. */
  async reserveAttempt(manager: EntityManager, id: string, max: number): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(PhoneVerification)
      .set({ attempts: () => 'attempts + 1' })
      .where('id = :id AND status = :pending AND attempts < :max', { id, pending: 'pending', max })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Turns a taken attempt into a wrong code; returns the wrong codes entered so far. */
  async recordWrongCode(manager: EntityManager, id: string): Promise<number> {
    await manager
      .createQueryBuilder()
      .update(PhoneVerification)
      .set({ failedAttempts: () => 'failed_attempts + 1' })
      .where('id = :id', { id })
      .execute();
    const { failedAttempts } = await manager.findOneOrFail(PhoneVerification, {
      select: { id: true, failedAttempts: true },
      where: { id },
    });
    return failedAttempts;
  }

  /** Gives back an attempt the provider never judged (it failed or timed out). */
  async releaseAttempt(manager: EntityManager, id: string): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(PhoneVerification)
      .set({ attempts: () => 'attempts - 1' })
      .where('id = :id AND attempts > 0', { id })
      .execute();
  }

  async addEvent(
    manager: EntityManager,
    event: {
      verificationId: string;
      userId: string;
      kind: VerificationEventKind;
      channel?: Channel;
      at: Date;
    },
  ): Promise<string> {
    const id = randomUUID();
    const sql = this.eventAdded;
    const at = sql.value(VerificationEvent, 'createdAt', event.at);
    await sql.run([id, event.verificationId, event.userId, event.kind, event.channel ?? null, at], manager);
    return id;
  }

  async removeEvent(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(VerificationEvent, { id });
  }

  /**
   * The user's events in each window, as the rules read them: one query, a count and an index lookup per
   * position, however many events the windows hold.
   */
  async eventHistories(
    userId: string,
    windows: readonly EventWindow[],
    manager?: EntityManager,
  ): Promise<EventHistory[]> {
    return (await this.readState(userId, windows, false, manager)).histories;
  }

  /** `findPending` and `eventHistories` in one query: what a send reads once it holds the user's lock. */
  async pendingAndHistories(
    userId: string,
    windows: readonly EventWindow[],
    manager: EntityManager,
  ): Promise<{ pending: PhoneVerification | null; histories: EventHistory[] }> {
    return this.readState(userId, windows, true, manager);
  }

  private async readState(
    userId: string,
    windows: readonly EventWindow[],
    withPending: boolean,
    manager?: EntityManager,
  ): Promise<{ pending: PhoneVerification | null; histories: EventHistory[] }> {
    const sql = this.stateStatement(windows, withPending);
    const parameters: unknown[] = [];
    for (const window of windows) {
      const since = sql.value(VerificationEvent, 'createdAt', window.since);
      parameters.push(userId, since);
      for (const k of window.positions) parameters.push(userId, since, k - 1);
    }
    if (withPending) parameters.push(userId);
    const [row] = await sql.rows(parameters, manager);
    const histories = windows.map((window, w) => {
      const positions = new Map<number, Date | undefined>();
      window.positions.forEach((k, p) => {
        const value = row[`w${w}_${p}`];
        positions.set(
          k,
          value === null ? undefined : (sql.hydrate(VerificationEvent, 'createdAt', value) as Date),
        );
      });
      return historyAt(Number(row[`w${w}`]), positions);
    });
    const pending = withPending && row.id !== null ? sql.entity(PhoneVerification, row) : null;
    return { pending, histories };
  }

  private stateStatement(windows: readonly EventWindow[], withPending: boolean): PreparedSql {
    const shape = windows.map((window) => `${window.kind}:${window.positions.length}`).join(',');
    const key = `${shape}${withPending ? '+pending' : ''}`;
    let sql = this.states.get(key);
    if (!sql) {
      const E = VerificationEvent;
      const V = PhoneVerification;
      sql = new PreparedSql(
        this.dataSource,
        ({ columns, table, column, parameter }) => {
          let next = 0;
          const inWindow = (kind: VerificationEventKind) =>
            `FROM ${table(E)} e WHERE ${column(E, 'userId', 'e')} = ${parameter(next++)}` +
            ` AND ${column(E, 'kind', 'e')} = '${kind}' AND ${column(E, 'createdAt', 'e')} > ${parameter(next++)}`;
          const selects = windows.flatMap((window, w) => [
            `(SELECT COUNT(*) ${inWindow(window.kind)}) AS w${w}`,
            // The index on (user_id, kind, created_at) serves both: a range to count, a step back to the k-th newest.
            ...window.positions.map(
              (_, p) =>
                `(SELECT ${column(E, 'createdAt', 'e')} ${inWindow(window.kind)}` +
                ` ORDER BY ${column(E, 'createdAt', 'e')} DESC LIMIT 1 OFFSET ${parameter(next++)}) AS w${w}_${p}`,
            ),
          ]);
          if (!withPending) return `SELECT ${selects.join(', ')}`;
          return (
            `SELECT ${columns('v')}, ${selects.join(', ')} FROM (SELECT 1 AS one) one` +
            ` LEFT JOIN ${table(V)} v ON ${column(V, 'userId', 'v')} = ${parameter(next++)}` +
            ` AND ${column(V, 'status', 'v')} = 'pending'`
          );
        },
        V,
      );
      this.states.set(key, sql);
    }
    return sql;
  }
}
