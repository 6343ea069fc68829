import { MigrationInterface, QueryRunner } from 'typeorm';
import { canonicalizeEmail } from '../../users/email';

/**
 * Rewrites the emails stored before they were kept in canonical form (they were only trimmed and lower-cased):
 * a decomposed accent or a Unicode domain becomes what a login now looks up. A row whose canonical form
 * another row already holds is left as it is (two accounts that look alike already exist: an operator decides),
 * and so is one that has no canonical form (invisible characters).
 */
export class CanonicalEmails1764200000001 implements MigrationInterface {
  name = 'CanonicalEmails1764200000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const rows = (await queryRunner.query('SELECT id, email FROM users')) as Array<{
      id: string;
      email: string;
    }>;
    const taken = new Set(rows.map((row) => row.email));
    for (const { id, email } of rows) {
      const canonical = canonicalizeEmail(email).email;
      if (!canonical || canonical === email || taken.has(canonical)) continue;
      await queryRunner.manager
        .createQueryBuilder()
        .update('users')
        .set({ email: canonical })
        .where('id = :id', { id })
        .execute();
      taken.delete(email);
      taken.add(canonical);
    }
  }

  async down(): Promise<void> {
    // The earlier forms are not kept: canonical emails stay canonical.
  }
}
