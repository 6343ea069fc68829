import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampDefault, timestampType } from './column-types';

export class CreateUsers1764100000000 implements MigrationInterface {
  name = 'CreateUsers1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          { name: 'email', type: 'varchar', length: '254', isUnique: true },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'phone_e164', type: 'varchar', length: '16', isNullable: true },
          { name: 'phone_country_code', type: 'varchar', length: '4', isNullable: true },
          { name: 'phone_national_number', type: 'varchar', length: '17', isNullable: true },
          { name: 'phone_confirmed', type: 'boolean', default: false },
          { name: 'phone_confirmed_at', type: timestamp, isNullable: true },
          { name: 'created_at', type: timestamp, default: timestampDefault(queryRunner) },
          { name: 'updated_at', type: timestamp, default: timestampDefault(queryRunner) },
        ],
      }),
    );
    // Two accounts can hold the same number, but only one can have it confirmed.
    await queryRunner.createIndex(
      'users',
      new TableIndex({
        name: 'UQ_users_confirmed_phone',
        columnNames: ['phone_e164'],
        isUnique: true,
        where: 'phone_confirmed = true',
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('users');
  }
}
