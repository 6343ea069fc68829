import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../data-source-options';

describe('migration CanonicalEmails1764200000001 (SQLite in memory)', () => {
  it('rewrites emails stored in an older form, leaving canonical ones and look-alike duplicates alone', async () => {
    const dataSource = new DataSource(buildDataSourceOptions({ type: 'sqlite', file: ':memory:' }));
    await dataSource.initialize();
    try {
      const migrations = dataSource.migrations;
      const index = migrations.findIndex((migration) => migration.name === 'CanonicalEmails1764200000001');
      const runner = dataSource.createQueryRunner();
      for (const migration of migrations.slice(0, index)) await migration.up(runner);
      const insert = (id: string, email: string) =>
        runner.query(`INSERT INTO users (id, email, password_hash) VALUES (?, ?, 'hash')`, [id, email]);
      await insert('00000000-0000-4000-8000-000000000001', 'jose\u0301@exämple.com');
      await insert('00000000-0000-4000-8000-000000000002', 'ada@example.com');
      await insert('00000000-0000-4000-8000-000000000003', 'bob@xn--exmple-cua.com');
      await insert('00000000-0000-4000-8000-000000000004', 'bob@exämple.com');

      await migrations[index].up(runner);

      const rows = (await runner.query('SELECT id, email FROM users ORDER BY id')) as Array<{
        email: string;
      }>;
      expect(rows.map((row) => row.email)).toEqual([
        'josé@xn--exmple-cua.com',
        'ada@example.com',
        'bob@xn--exmple-cua.com',
        'bob@exämple.com',
      ]);
      await runner.release();
    } finally {
      await dataSource.destroy();
    }
  });
});
