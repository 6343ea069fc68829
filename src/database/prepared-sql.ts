import type { Statement } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { IdentityDataSource } from './identity-data-source';

/** Names and placeholders of the dialect, for writing a prepared statement's SQL once. */
export interface SqlNames {
  /** The select list of `alias`: the read entity's columns selected by default. */
  columns(alias: string): string;
  table(target: EntityTarget<ObjectLiteral>): string;
  column(target: EntityTarget<ObjectLiteral>, property: string, alias: string): string;
  /** A column's name alone, as an INSERT or an UPDATE's SET names it. */
  name(target: EntityTarget<ObjectLiteral>, property: string): string;
  /** The placeholder of the `index`-th parameter (from 0). */
  parameter(index: number): string;
}

export type Row = Record<string, unknown>;

/** pg's Client and Pool: a query named once per SQL string is parsed and planned once per connection. */
interface PgQueryable {
  query(query: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/**
 * A statement on the per-request path, its SQL written once: TypeORM's query builder costs more than such a
 * statement itself. Inside a transaction it runs on the transaction's connection (the manager's query runner).
 * Outside one, a read goes on PostgreSQL straight through the pool; on a SQLite file, to the data source's
 * read-only connection as a prepared statement (in WAL mode it sees committed rows only, so it neither waits
 * for another request's transaction nor sees its uncommitted writes); on an in-memory SQLite database, which
 * has one connection, through TypeORM's query runner, which keeps reads from uncommitted writes
 * (SqliteTransactions). On PostgreSQL it is a named statement, parsed and planned once per connection:
 * planning a statement can cost the server more than running it.
 */
export class PreparedSql {
  private prepared?: string;
  private pgName?: string;
  private readStatement?: Statement<unknown[], Row>;
  private readonly columnsByTarget = new Map<EntityTarget<ObjectLiteral>, Map<string, ColumnMetadata>>();
  private readonly selectedByTarget = new Map<EntityTarget<ObjectLiteral>, ColumnMetadata[]>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly write: (names: SqlNames) => string,
    /** The entity whose default columns `columns(alias)` lists. */
    private readonly selected?: EntityTarget<ObjectLiteral>,
  ) {}

  get sql(): string {
    return (this.prepared ??= this.write(this.names()));
  }

  /** A parameter value as the driver stores `property` of `target` (a Date becomes SQLite's UTC text). */
  value(target: EntityTarget<ObjectLiteral>, property: string, value: unknown): unknown {
    return this.dataSource.driver.preparePersistentValue(value, this.columnOf(target, property));
  }

  /** A value read from `property`'s column as TypeORM hydrates it (SQLite's text becomes a Date). */
  hydrate(target: EntityTarget<ObjectLiteral>, property: string, value: unknown): unknown {
    return this.dataSource.driver.prepareHydratedValue(value, this.columnOf(target, property));
  }

  /** The first row of a read as an entity of `target`, hydrated as TypeORM hydrates it, or null. */
  async one<T extends ObjectLiteral>(
    target: EntityTarget<T>,
    parameters: unknown[],
    manager?: EntityManager,
  ): Promise<T | null> {
    const [row] = await this.rows(parameters, manager);
    return row ? this.entity(target, row) : null;
  }

  /** A row (selected with `columns(alias)`) as an entity of `target`, hydrated as TypeORM hydrates it. */
  entity<T extends ObjectLiteral>(target: EntityTarget<T>, row: Row): T {
    const entity = this.dataSource.getMetadata(target).create() as Record<string, unknown>;
    for (const column of this.selectedColumns(target)) {
      entity[column.propertyName] = this.dataSource.driver.prepareHydratedValue(
        row[column.databaseName],
        column,
      );
    }
    return entity as T;
  }

  /** The rows a read answers; `manager`: the transaction to read in, if any. */
  async rows(parameters: unknown[], manager?: EntityManager): Promise<Row[]> {
    const runner = manager?.queryRunner;
    const postgres = this.postgres(runner);
    if (postgres) return (await this.pgQuery(postgres, parameters)).rows;
    if (runner) return ((await runner.query(this.sql, parameters, true)) as { records: Row[] }).records;
    const reader = this.dataSource instanceof IdentityDataSource ? this.dataSource.sqliteReader() : undefined;
    if (reader) return (this.readStatement ??= reader.prepare<unknown[], Row>(this.sql)).all(...parameters);
    return (await this.dataSource.query(this.sql, parameters)) as Row[];
  }

  /** Runs a write in `manager`'s transaction; answers the rows it changed. */
  async run(parameters: unknown[], manager: EntityManager): Promise<number> {
    const runner = manager.queryRunner;
    if (!runner) throw new Error('A prepared write runs in a transaction');
    const postgres = this.postgres(runner);
    if (postgres) return (await this.pgQuery(postgres, parameters)).rowCount ?? 0;
    return ((await runner.query(this.sql, parameters, true)) as { affected?: number }).affected ?? 0;
  }

  /**
   * PostgreSQL only: runs a write of one statement on its own, autocommitted on a connection of the pool. One
   * statement is atomic by itself: one round trip instead of three (`BEGIN`, the write, `COMMIT`).
   */
  async runAlone(parameters: unknown[]): Promise<number> {
    const pool = this.postgres(undefined);
    if (!pool)
      throw new Error('A write alone runs on PostgreSQL; on SQLite every write takes the write transaction');
    return (await this.pgQuery(pool, parameters)).rowCount ?? 0;
  }

  /**
   * On PostgreSQL, where the statement goes: the transaction's connection, or else the pool. Undefined on SQLite,
   * where TypeORM's query runner keeps its statements prepared.
   */
  private postgres(runner: QueryRunner | undefined): PgQueryable | undefined {
    if (this.dataSource.driver.options.type !== 'postgres') return undefined;
    if (runner) return (runner as unknown as { databaseConnection?: PgQueryable }).databaseConnection;
    return (this.dataSource.driver as { master?: PgQueryable }).master;
  }

  /** As a named statement: the server parses and plans it once per connection, not at every call. */
  private pgQuery(target: PgQueryable, values: unknown[]): ReturnType<PgQueryable['query']> {
    const text = this.sql;
    this.pgName ??= `identity_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    return target.query({ name: this.pgName, text, values });
  }

  private columnOf(target: EntityTarget<ObjectLiteral>, property: string): ColumnMetadata {
    let columns = this.columnsByTarget.get(target);
    if (!columns) {
      const metadata = this.dataSource.getMetadata(target);
      columns = new Map(metadata.columns.map((column) => [column.propertyName, column]));
      this.columnsByTarget.set(target, columns);
    }
    const column = columns.get(property);
    if (!column) throw new Error(`no column for ${property}`);
    return column;
  }

  /** The columns of `target` that a read selects by default (not the password hash). */
  private selectedColumns(target: EntityTarget<ObjectLiteral>): ColumnMetadata[] {
    let columns = this.selectedByTarget.get(target);
    if (!columns) {
      columns = this.dataSource.getMetadata(target).columns.filter((column) => column.isSelect);
      this.selectedByTarget.set(target, columns);
    }
    return columns;
  }

  private names(): SqlNames {
    const { driver } = this.dataSource;
    const escapedColumn = (target: EntityTarget<ObjectLiteral>, property: string) =>
      driver.escape(this.columnOf(target, property).databaseName);
    return {
      columns: (alias) => {
        if (!this.selected) throw new Error('columns() needs the entity the statement selects');
        return this.selectedColumns(this.selected)
          .map(
            (column) =>
              `${alias}.${driver.escape(column.databaseName)} AS ${driver.escape(column.databaseName)}`,
          )
          .join(', ');
      },
      table: (target) => driver.escape(this.dataSource.getMetadata(target).tableName),
      column: (target, property, alias) => `${alias}.${escapedColumn(target, property)}`,
      name: escapedColumn,
      parameter: (index) => driver.createParameter(`p${index}`, index),
    };
  }
}
