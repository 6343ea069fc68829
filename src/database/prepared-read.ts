import type { Statement } from 'better-sqlite3';
import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import { IdentityDataSource } from './identity-data-source';

/** Names and placeholders of the dialect, for writing a prepared read's SQL once. */
export interface SqlNames {
  /** The select list of `alias`: the read entity's columns selected by default. */
  columns(alias: string): string;
  table(target: EntityTarget<ObjectLiteral>): string;
  column(target: EntityTarget<ObjectLiteral>, property: string, alias: string): string;
  /** The placeholder of the `index`-th parameter (from 0). */
  parameter(index: number): string;
}

interface PgPool {
  query(sql: string, parameters: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * A read of one entity on the per-request path: its SQL is written once, rows are hydrated by the driver as
 * TypeORM hydrates them, and the query goes straight to the driver: TypeORM's query builder and query runner
 * cost more than such a query itself. On PostgreSQL it goes through the pool; on a SQLite file, through the
 * data source's read-only connection, as a prepared statement (it sees committed data only). An in-memory
 * SQLite database has one connection: there the query goes through TypeORM's query runner, which keeps reads
 * from uncommitted writes (SqliteTransactions).
 */
export class PreparedRead<T extends ObjectLiteral> {
  private prepared?: { sql: string; metadata: EntityMetadata; columns: ColumnMetadata[] };
  private statement?: Statement<unknown[], Record<string, unknown>>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly target: EntityTarget<T>,
    private readonly write: (names: SqlNames) => string,
  ) {}

  /** A parameter value as the driver stores `property` of `target` (a Date becomes SQLite's UTC text). */
  value(target: EntityTarget<ObjectLiteral>, property: string, value: unknown): unknown {
    const column = this.dataSource.getMetadata(target).findColumnWithPropertyName(property);
    if (!column) throw new Error(`no column for ${property}`);
    return this.dataSource.driver.preparePersistentValue(value, column);
  }

  async one(parameters: unknown[]): Promise<T | null> {
    const { sql, metadata, columns } = (this.prepared ??= this.prepare());
    const rows = await this.query(sql, parameters);
    if (rows.length === 0) return null;
    const entity = metadata.create() as Record<string, unknown>;
    for (const column of columns) {
      entity[column.propertyName] = this.dataSource.driver.prepareHydratedValue(
        rows[0][column.databaseName],
        column,
      );
    }
    return entity as T;
  }

  private prepare(): { sql: string; metadata: EntityMetadata; columns: ColumnMetadata[] } {
    const { driver } = this.dataSource;
    const metadata = this.dataSource.getMetadata(this.target);
    const columns = metadata.columns.filter((column) => column.isSelect);
    const columnOf = (target: EntityTarget<ObjectLiteral>, property: string) => {
      const column = this.dataSource.getMetadata(target).findColumnWithPropertyName(property);
      if (!column) throw new Error(`no column for ${property}`);
      return driver.escape(column.databaseName);
    };
    const sql = this.write({
      columns: (alias) =>
        columns
          .map(
            (column) =>
              `${alias}.${driver.escape(column.databaseName)} AS ${driver.escape(column.databaseName)}`,
          )
          .join(', '),
      table: (target) => driver.escape(this.dataSource.getMetadata(target).tableName),
      column: (target, property, alias) => `${alias}.${columnOf(target, property)}`,
      parameter: (index) => driver.createParameter(`p${index}`, index),
    });
    return { sql, metadata, columns };
  }

  private async query(sql: string, parameters: unknown[]): Promise<Record<string, unknown>[]> {
    const { driver } = this.dataSource;
    const pool = (driver as { master?: PgPool }).master;
    if (driver.options.type === 'postgres' && pool) return (await pool.query(sql, parameters)).rows;
    const reader = this.dataSource instanceof IdentityDataSource ? this.dataSource.sqliteReader() : undefined;
    if (reader) {
      this.statement ??= reader.prepare<unknown[], Record<string, unknown>>(sql);
      return this.statement.all(...parameters);
    }
    return (await this.dataSource.query(sql, parameters)) as Record<string, unknown>[];
  }
}
