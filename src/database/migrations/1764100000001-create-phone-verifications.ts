import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampDefault, timestampType } from './column-types';

export class CreatePhoneVerifications1764100000001 implements MigrationInterface {
  name = 'CreatePhoneVerifications1764100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampType(queryRunner);
    const now = timestampDefault(queryRunner);
    const userForeignKey = {
      columnNames: ['user_id'],
      referencedTableName: 'users',
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    };
    await queryRunner.createTable(
      new Table({
        name: 'phone_verifications',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          { name: 'user_id', type: 'uuid' },
          { name: 'phone_e164', type: 'varchar', length: '16' },
          { name: 'phone_country_code', type: 'varchar', length: '4' },
          { name: 'phone_national_number', type: 'varchar', length: '17' },
          { name: 'channel', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'cancel_reason', type: 'varchar', length: '32', isNullable: true },
          { name: 'provider_reference', type: 'varchar', length: '64', isNullable: true },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'send_count', type: 'integer', default: 0 },
          { name: 'last_sent_at', type: timestamp, isNullable: true },
          { name: 'expires_at', type: timestamp },
          { name: 'created_at', type: timestamp, default: now },
          { name: 'updated_at', type: timestamp, default: now },
        ],
        foreignKeys: [userForeignKey],
        indices: [{ name: 'IDX_phone_verifications_user', columnNames: ['user_id', 'created_at'] }],
      }),
    );
    // At most one pending verification per user: concurrent starts cannot both create one.
    await queryRunner.createIndex(
      'phone_verifications',
      new TableIndex({
        name: 'UQ_phone_verifications_pending_user',
        columnNames: ['user_id'],
        isUnique: true,
        where: "status = 'pending'",
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'verification_events',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          { name: 'verification_id', type: 'uuid' },
          { name: 'user_id', type: 'uuid' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'channel', type: 'varchar', length: '16', isNullable: true },
          { name: 'created_at', type: timestamp, default: now },
        ],
        foreignKeys: [
          userForeignKey,
          {
            columnNames: ['verification_id'],
            referencedTableName: 'phone_verifications',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [
          { name: 'IDX_verification_events_user_kind', columnNames: ['user_id', 'kind', 'created_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('verification_events');
    await queryRunner.dropTable('phone_verifications');
  }
}
