import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from './column-types';

/**
 * Idempotency keys of `start`, unique per user so that parallel requests with one key (on any instance) meet
 * here; and an index for the question "does another account wait for a code to this number?".
 */
export class IdempotencyKeys1764470000000 implements MigrationInterface {
  name = 'IdempotencyKeys1764470000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'user_id', type: 'uuid', isPrimary: true },
          { name: 'key', type: 'varchar', length: '255', isPrimary: true },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'status_code', type: 'integer', isNullable: true },
          { name: 'answer', type: 'text', isNullable: true },
          { name: 'created_at', type: timestamp },
          { name: 'expires_at', type: timestamp },
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.createIndex(
      'phone_verifications',
      new TableIndex({
        name: 'IDX_phone_verifications_number_status',
        columnNames: ['phone_e164', 'status'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('phone_verifications', 'IDX_phone_verifications_number_status');
    await queryRunner.dropTable('idempotency_keys');
  }
}
