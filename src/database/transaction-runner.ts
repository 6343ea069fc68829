import { Inject, Injectable, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { databaseConfig } from '../config';
import { DEFAULT_DATABASE_TIMEOUT_MS } from '../config/database.config';
import type { PreparedSql } from './prepared-sql';
import { SqliteTransactions } from './sqlite-transactions';

/**
 * Runs a unit of work in one transaction: on PostgreSQL a pooled connection of its own, on SQLite a
 * `BEGIN IMMEDIATE` transaction on the one connection (see SqliteTransactions).
 */
@Injectable()
export class TransactionRunner {
  private readonly sqlite?: SqliteTransactions;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() @Inject(databaseConfig.KEY) config?: ConfigType<typeof databaseConfig>,
  ) {
    if (!this.isPostgres) {
      this.sqlite = SqliteTransactions.for(dataSource, config?.timeoutMs ?? DEFAULT_DATABASE_TIMEOUT_MS);
    }
  }

  get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.sqlite ? this.sqlite.run(work) : this.dataSource.transaction(work);
  }

  /**
   * A write that is one statement: on PostgreSQL autocommitted through the pool, on SQLite in a write transaction
   * like every write (its one connection is shared). Answers the rows it changed.
   */
  runStatement(statement: PreparedSql, parameters: unknown[]): Promise<number> {
    return this.sqlite
      ? this.sqlite.run((manager) => statement.run(parameters, manager))
      : statement.runAlone(parameters);
  }
}
