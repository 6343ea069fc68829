import { ObjectLiteral, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Reads one entity by its single-column primary key: the same columns as `findOneBy` (those selected by
 * default), hydrated by the driver exactly as TypeORM hydrates them, but from one SQL string built once.
 * On the per-request path (the user behind every token) TypeORM's query builder costs more than the query.
 */
export class PrimaryKeyReader<T extends ObjectLiteral> {
  private readonly columns: ColumnMetadata[];
  private readonly sql: string;

  constructor(private readonly repository: Repository<T>) {
    const { metadata, manager } = repository;
    const driver = manager.connection.driver;
    if (metadata.primaryColumns.length !== 1) throw new Error(`${metadata.name} has a composite primary key`);
    this.columns = metadata.columns.filter((column) => column.isSelect);
    const list = this.columns.map((column) => driver.escape(column.databaseName)).join(', ');
    const key = driver.escape(metadata.primaryColumns[0].databaseName);
    const parameter = driver.createParameter('key', 0);
    this.sql = `SELECT ${list} FROM ${driver.escape(metadata.tableName)} WHERE ${key} = ${parameter} LIMIT 1`;
  }

  async find(key: unknown): Promise<T | null> {
    const { manager, metadata } = this.repository;
    const rows = await this.query(key);
    if (rows.length === 0) return null;
    const driver = manager.connection.driver;
    const entity = metadata.create() as T;
    for (const column of this.columns) {
      (entity as Record<string, unknown>)[column.propertyName] = driver.prepareHydratedValue(
        rows[0][column.databaseName],
        column,
      );
    }
    return entity;
  }

  /**
   * On PostgreSQL straight through the pool (which lends a connection for the one query), skipping TypeORM's
   * query runner; on SQLite through TypeORM, whose query runner keeps reads from uncommitted writes.
   */
  private async query(key: unknown): Promise<Record<string, unknown>[]> {
    const { manager } = this.repository;
    const { driver } = manager.connection;
    const pool = (driver as { master?: PgPool }).master;
    if (driver.options.type === 'postgres' && pool) return (await pool.query(this.sql, [key])).rows;
    return (await manager.query(this.sql, [key])) as Record<string, unknown>[];
  }
}

interface PgPool {
  query(sql: string, parameters: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}
