import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { timestampType } from './column-types';

/** Sessions and their refresh tokens (stored as SHA-256 hashes only). */
export class CreateSessions1764200000000 implements MigrationInterface {
  name = 'CreateSessions1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          { name: 'user_id', type: 'uuid' },
          { name: 'auth_time', type: timestamp },
          { name: 'expires_at', type: timestamp },
          { name: 'revoked_at', type: timestamp, isNullable: true },
          { name: 'revoke_reason', type: 'varchar', length: '32', isNullable: true },
          { name: 'created_at', type: timestamp },
        ],
        foreignKeys: [
          {
            name: 'FK_sessions_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [{ name: 'IDX_sessions_user', columnNames: ['user_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'session_id', type: 'uuid' },
          { name: 'expires_at', type: timestamp },
          { name: 'spent_at', type: timestamp, isNullable: true },
          { name: 'created_at', type: timestamp },
        ],
        foreignKeys: [
          {
            name: 'FK_refresh_tokens_session',
            columnNames: ['session_id'],
            referencedTableName: 'sessions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [{ name: 'IDX_refresh_tokens_session', columnNames: ['session_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('refresh_tokens');
    await queryRunner.dropTable('sessions');
  }
}
