import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Wrong codes get their own counter: `attempts` also holds the checks still waiting for the provider, and a
 * wrong code must not cancel a verification that a concurrent right code is about to approve.
 */
export class AddFailedAttempts1764100000002 implements MigrationInterface {
  name = 'AddFailedAttempts1764100000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'phone_verifications',
      new TableColumn({ name: 'failed_attempts', type: 'integer', default: 0 }),
    );
    // Until now every attempt taken was a judged wrong code (or an approval, which ends the verification).
    await queryRunner.query('UPDATE phone_verifications SET failed_attempts = attempts');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('phone_verifications', 'failed_attempts');
  }
}
