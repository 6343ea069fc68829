import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
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

type Placeholder = (index: number) => string;

/** How a batched read passes its (user, session) pairs: as the table `k(user_id, session_id)`. */
interface TokenPairs {
  /** How many parameters `table` takes, from the first. */
  parameterCount: number;
  table(parameter: Placeholder): string;
  parameters(keys: readonly SessionOfToken[]): unknown[];
}

const POSTGRES_PAIRS: TokenPairs = {
  parameterCount: 2,
  table: (parameter) => `unnest(${parameter(0)}::uuid[], ${parameter(1)}::uuid[]) AS k(user_id, session_id)`,
  parameters: (keys) => [keys.map((key) => key.userId), keys.map((key) => key.sessionId)],
};

const SQLITE_PAIRS: TokenPairs = {
  parameterCount: 1,
  table: (parameter) =>
    `(SELECT value ->> '$[0]' AS user_id, value ->> '$[1]' AS session_id FROM json_each(${parameter(0)})) k`,
  parameters: (keys) => [JSON.stringify(keys.map((key) => [key.userId, key.sessionId]))],
};

export interface RefreshTokenWithSession {
  token: RefreshToken;
  session: Session;
}

@Injectable()
export class SessionsRepository {
  private readonly usersOfSessions: PreparedSql;
  private readonly pairs: TokenPairs;
  private readonly batchedUserReads: DataLoader<SessionOfToken, User | null>;
  private readonly expired: ExpiredRows;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.pairs = this.dataSource.options.type === 'postgres' ? POSTGRES_PAIRS : SQLITE_PAIRS;
    this.usersOfSessions = new PreparedSql(
      this.dataSource,
      ({ columns, table, column, parameter }) => {
        // The time comes after the pairs: SQLite numbers its `?` by their place in the text.
        const now = parameter(this.pairs.parameterCount);
        return (
          `SELECT ${columns('u')}, k.user_id AS token_user_id, k.session_id AS token_session_id` +
          ` FROM ${this.pairs.table(parameter)}` +
          ` JOIN ${table(Session)} s ON ${column(Session, 'id', 's')} = k.session_id AND ${column(Session, 'userId', 's')} = k.user_id` +
          ` JOIN ${table(User)} u ON ${column(User, 'id', 'u')} = k.user_id` +
          ` WHERE ${column(Session, 'revokedAt', 's')} IS NULL AND ${column(Session, 'expiresAt', 's')} > ${now}`
        );
      },
      User,
    );
    // A statement costs the event loop the same whatever it carries (on PostgreSQL a socket write and a wake-up of
    // the database; on SQLite the WAL's read lock, taken and released): the requests that arrive in one turn of
    // the loop are read together, when the turn has run.
    this.batchedUserReads = new DataLoader((keys) => this.usersOfActiveSessions(keys), {
      cache: false,
      batchScheduleFn: (read) => setImmediate(read),
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
      ...this.pairs.parameters(keys),
      this.usersOfSessions.value(Session, 'expiresAt', latest),
    ]);
    const rowOf = new Map(
      rows.map((row) => [`${String(row.token_user_id)} ${String(row.token_session_id)}`, row]),
    );
    // An entity for each request, even for two with the same token: a request may change its user.
    return keys.map((key) => {
      const row = rowOf.get(`${key.userId} ${key.sessionId}`);
      return row ? this.usersOfSessions.entity(User, row) : null;
    });
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
