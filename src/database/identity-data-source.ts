import Database from 'better-sqlite3';
import { DataSource } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** What the migrations write for an instant and for "now" (the same as `migrations/column-types.ts`). */
export const TIMESTAMP_SQL = {
  postgres: { type: 'timestamp with time zone', now: 'now()' },
  sqlite: { type: 'datetime', now: "(strftime('%Y-%m-%d %H:%M:%f', 'now'))" },
} as const;

/**
 * The app's and the CLI's DataSource. Entities declare instants as `Date` columns (with
 * `default: () => 'CURRENT_TIMESTAMP'` where the table has a default); TypeORM cannot say "timestamptz on
 * PostgreSQL, datetime on SQLite" in one decorator, so after the metadata is built each dialect gets the
 * spelling the migrations use. On SQLite the migrations' schema API also writes `uuid` and `DEFAULT (false)`
 * literally, and the metadata says so too. With this, `migration:generate` on a migrated database is empty.
 */
export class IdentityDataSource extends DataSource {
  private reader?: Database.Database;

  /**
   * On a SQLite file, a second connection that only reads. In WAL mode it sees committed data only: a read on the
   * request path never waits for another request's transaction on the main connection, and never sees its
   * uncommitted writes. Undefined on PostgreSQL and for an in-memory database (which one connection owns).
   */
  sqliteReader(): Database.Database | undefined {
    if (this.reader) return this.reader;
    const file = this.options.type === 'better-sqlite3' ? this.options.database : undefined;
    if (!this.isInitialized || !file || file === ':memory:') return undefined;
    this.reader = new Database(file, { readonly: true, fileMustExist: true, timeout: SQLITE_READ_BUSY_MS });
    return this.reader;
  }

  override async destroy(): Promise<void> {
    this.reader?.close();
    this.reader = undefined;
    await super.destroy();
  }

  protected override async buildMetadatas(): Promise<void> {
    await super.buildMetadatas();
    const dialect = this.options.type === 'postgres' ? 'postgres' : 'sqlite';
    for (const column of this.entityMetadatas.flatMap((metadata) => metadata.columns)) {
      if (isInstant(column)) {
        column.type = TIMESTAMP_SQL[dialect].type;
        if (column.default !== undefined) column.default = () => TIMESTAMP_SQL[dialect].now;
      }
    }
    if (dialect === 'sqlite') this.keepSqliteSpelling();
  }

  private keepSqliteSpelling(): void {
    const driver = this.driver;
    const normalizeType = driver.normalizeType.bind(driver);
    const normalizeDefault = driver.normalizeDefault.bind(driver);
    driver.normalizeType = (column) => (column.type === 'uuid' ? 'uuid' : normalizeType(column));
    driver.normalizeDefault = (column) =>
      typeof column.default === 'boolean' ? String(column.default) : normalizeDefault(column);
  }
}

/**
 * A WAL reader waits for the file's lock only while a checkpoint restarts the log: briefly, and blocking the
 * event loop, so the wait is short.
 */
const SQLITE_READ_BUSY_MS = 10;

function isInstant(column: ColumnMetadata): boolean {
  return column.type === Date || column.isCreateDate || column.isUpdateDate;
}
