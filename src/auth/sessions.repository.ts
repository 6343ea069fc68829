import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import { AsyncResource } from 'node:async_hooks';
import { DataSource, EntityManager, IsNull, LessThanOrEqual } from 'typeorm';
import { ExpiredRows } from '../database/expired-rows';
import { PreparedSql } from '../database/prepared-sql';
import type { TransactionRunner } from '../database/transaction-runner';
import { User } from '../users/entities/user.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session, SessionEndReason } from './entities/session.entity';

/** What an access token names: its user and its session, at the time of the request. */
interface SessionOfToken {
  userId: string;
  sessionId: string;
  now: Date;
}

/** The most sessions one batched read looks up: it bounds the statement's arrays. */
const MAX_SESSIONS_PER_READ = 256;

export interface RefreshTokenWithSession {
  token: RefreshToken;
  session: Session;
}

@Injectable()
export class SessionsRepository {
  private readonly usersOfSessions: PreparedSql;
  private readonly batchedUserReads: DataLoader<SessionOfToken, User | null>;
  private readonly expired: ExpiredRows;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    const postgres = this.dataSource.options.type === 'postgres';
    this.usersOfSessions = new PreparedSql(
      this.dataSource,
      ({ columns, table, column, parameter }) => {
        // The requests' pairs, a JSON array of [user id, session id], as the table k(user_id, session_id, position),
        // position counted from 0.
        const pairs = postgres
          ? `(SELECT (e ->> 0)::uuid AS user_id, (e ->> 1)::uuid AS session_id, (n - 1)::int AS position` +
            ` FROM json_array_elements(${parameter(0)}::json) WITH ORDINALITY AS p(e, n)) k`
          : `(SELECT value ->> '$[0]' AS user_id, value ->> '$[1]' AS session_id, key AS position` +
            ` FROM json_each(${parameter(0)})) k`;
        return (
          `SELECT ${columns('u')}, k.position AS token_position FROM ${pairs}` +
          ` JOIN ${table(Session)} s ON ${column(Session, 'id', 's')} = k.session_id AND ${column(Session, 'userId', 's')} = k.user_id` +
          ` JOIN ${table(User)} u ON ${column(User, 'id', 'u')} = k.user_id` +
          ` WHERE ${column(Session, 'revokedAt', 's')} IS NULL AND ${column(Session, 'expiresAt', 's')} > ${parameter(1)}`
        );
      },
      User,
    );
    // A statement costs the event loop the same whatever it carries (on PostgreSQL a socket write and a wake-up of
    // the database; on SQLite the WAL's read lock, taken and released): the requests that arrive in one turn of
    // the loop are read together, when the turn has run. The read runs in no request's async context, so that
    // it never joins the transaction or takes the log context of the request that happened to ask first.
    const outsideRequests = AsyncResource.bind((read: () => void) => read());
    this.batchedUserReads = new DataLoader((keys) => this.usersOfActiveSessions(keys), {
      cache: false,
      batchScheduleFn: (read) => setImmediate(outsideRequests, read),
      maxBatchSize: MAX_SESSIONS_PER_READ,
    });
    this.expired = new ExpiredRows(this.dataSource, Session, ['id']);
  }

  /**
   * The user of an access token, provided its session is still running: one query, shared with the other
   * requests of this turn of the event loop, so that checking revocation costs no extra round trip.
   */
  findUserOfActiveSession(userId: string, sessionId: string, now: Date): Promise<User | null> {
    return this.batchedUserReads.load({ userId, sessionId, now });
  }

  /**
   * The users of several access tokens in one statement, in the order asked (null where the session has ended).
   * A session is judged at the latest of the requests' times: one that ran out while the batch gathered is over.
   */
  private async usersOfActiveSessions(keys: readonly SessionOfToken[]): Promise<(User | null)[]> {
    const latest = new Date(Math.max(...keys.map((key) => key.now.getTime())));
    const rows = await this.usersOfSessions.rows([
      JSON.stringify(keys.map((key) => [key.userId, key.sessionId])),
      this.usersOfSessions.value(Session, 'expiresAt', latest),
    ]);
    // A row per request whose session runs: an entity of its own, even for two requests with the same token.
    const users: (User | null)[] = keys.map(() => null);
    for (const row of rows) users[Number(row.token_position)] = this.usersOfSessions.entity(User, row);
    return users;
  }

  /**
   * Deletes the user's sessions that have run out (their newest refresh token expired), and with them their
   * refresh tokens: nothing in them can be used any more, and reuse detection only needs unexpired tokens.
   */
  async deleteExpiredSessionsOf(manager: EntityManager, userId: string, now: Date): Promise<number> {
    const result = await manager.delete(Session, { userId, expiresAt: LessThanOrEqual(now) });
    return result.affected ?? 0;
  }

  /**
   * Deletes at most `limit` sessions of any user that have run out, with their refresh tokens; answers how many.
   * A session refreshed meanwhile is not expired any more, and stays.
   */
  deleteExpired(transactions: TransactionRunner, now: Date, limit: number): Promise<number> {
    return this.expired.delete(transactions, now, limit);
  }

  async insertSession(manager: EntityManager, session: Session): Promise<void> {
    await manager.insert(Session, session);
  }

  async insertRefreshToken(manager: EntityManager, token: RefreshToken): Promise<void> {
    await manager.insert(RefreshToken, token);
  }

  async findRefreshToken(manager: EntityManager, tokenHash: string): Promise<RefreshTokenWithSession | null> {
    const token = await manager.findOne(RefreshToken, { where: { tokenHash }, relations: { session: true } });
    if (!token?.session) return null;
    const { session, ...rest } = token;
    return { token: rest as RefreshToken, session };
  }

  /** Marks the token spent unless another request already did: true for the one request that spends it. */
  async spend(manager: EntityManager, tokenHash: string, at: Date): Promise<boolean> {
    const result = await manager.update(RefreshToken, { tokenHash, spentAt: IsNull() }, { spentAt: at });
    return (result.affected ?? 0) > 0;
  }

  async extendSession(manager: EntityManager, sessionId: string, expiresAt: Date): Promise<void> {
    await manager.update(Session, { id: sessionId }, { expiresAt });
  }

  async revokeSession(
    manager: EntityManager,
    sessionId: string,
    reason: SessionEndReason,
    at: Date,
  ): Promise<void> {
    await manager.update(
      Session,
      { id: sessionId, revokedAt: IsNull() },
      { revokedAt: at, revokeReason: reason },
    );
  }

  async revokeSessionsOf(
    manager: EntityManager,
    userId: string,
    reason: SessionEndReason,
    at: Date,
  ): Promise<number> {
    const result = await manager.update(
      Session,
      { userId, revokedAt: IsNull() },
      { revokedAt: at, revokeReason: reason },
    );
    return result.affected ?? 0;
  }
}
