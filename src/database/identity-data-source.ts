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

function isInstant(column: ColumnMetadata): boolean {
  return column.type === Date || column.isCreateDate || column.isUpdateDate;
}
