import { QueryRunner } from 'typeorm';

/** The one type that differs between the two databases: a UTC timestamp. */
export function timestampType(queryRunner: QueryRunner): string {
  return queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
}

export function timestampDefault(queryRunner: QueryRunner): string {
  return queryRunner.connection.options.type === 'postgres'
    ? 'now()'
    : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))";
}
