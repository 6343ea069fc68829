import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/** Indexes on the expiry of sessions and idempotency keys: the sweep of expired rows reads them. */
export class ExpiryIndexes1764520000000 implements MigrationInterface {
  name = 'ExpiryIndexes1764520000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'sessions',
      new TableIndex({ name: 'IDX_sessions_expires_at', columnNames: ['expires_at'] }),
    );
    await queryRunner.createIndex(
      'idempotency_keys',
      new TableIndex({ name: 'IDX_idempotency_keys_expires_at', columnNames: ['expires_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('idempotency_keys', 'IDX_idempotency_keys_expires_at');
    await queryRunner.dropIndex('sessions', 'IDX_sessions_expires_at');
  }
}
