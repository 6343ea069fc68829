import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { PreparedSql } from './prepared-sql';
import type { TransactionRunner } from './transaction-runner';

/**
 * Deletes rows of an entity whose `expiresAt` has passed, at most `limit` per statement: each statement, and
 * the locks it holds, stays short. The expiry is checked again by the `DELETE` itself, so a row whose expiry
 * moved meanwhile (a session refreshed) stays.
 */
export class ExpiredRows {
  private readonly deleted: PreparedSql;

  /** `keys`: the properties of the entity's primary key. */
  constructor(
    dataSource: DataSource,
    private readonly target: EntityTarget<ObjectLiteral>,
    keys: readonly string[],
  ) {
    this.deleted = new PreparedSql(dataSource, ({ table, name, parameter }) => {
      const key = keys.map((property) => name(target, property)).join(', ');
      const expired = (index: number) => `${name(target, 'expiresAt')} <= ${parameter(index)}`;
      return (
        `DELETE FROM ${table(target)} WHERE ${expired(0)} AND (${key}) IN` +
        ` (SELECT ${key} FROM ${table(target)} WHERE ${expired(1)} LIMIT ${parameter(2)})`
      );
    });
  }

  /** Deletes at most `limit` rows expired at `now`; answers how many. */
  delete(transactions: TransactionRunner, now: Date, limit: number): Promise<number> {
    const at = this.deleted.value(this.target, 'expiresAt', now);
    return transactions.runStatement(this.deleted, [at, at, limit]);
  }
}
