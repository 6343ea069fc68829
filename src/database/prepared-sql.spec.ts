import { randomUUID } from 'node:crypto';
import { User } from '../users/entities/user.entity';
import { buildDataSourceOptions } from './data-source-options';
import { IdentityDataSource } from './identity-data-source';
import { PreparedSql } from './prepared-sql';
import { SqliteTransactions } from './sqlite-transactions';

/** SQLite here; on PostgreSQL the e2e suite runs every send through these statements. */
describe('PreparedSql', () => {
  const dataSource = new IdentityDataSource(buildDataSourceOptions({ type: 'sqlite', file: ':memory:' }));
  const at = new Date('2026-11-29T10:11:12.345Z');
  const transaction = <T>(work: Parameters<SqliteTransactions['run']>[0]) =>
    SqliteTransactions.for(dataSource, 1000).run(work) as Promise<T>;

  const byId = new PreparedSql(
    dataSource,
    ({ columns, table, column, parameter }) =>
      `SELECT ${columns('u')} FROM ${table(User)} u WHERE ${column(User, 'id', 'u')} = ${parameter(0)}`,
    User,
  );
  const confirm = new PreparedSql(
    dataSource,
    ({ table, name, parameter }) =>
      `UPDATE ${table(User)} SET ${name(User, 'phoneConfirmed')} = ${parameter(0)}, ` +
      `${name(User, 'phoneConfirmedAt')} = ${parameter(1)} WHERE ${name(User, 'id')} = ${parameter(2)}`,
  );

  beforeAll(async () => {
    await dataSource.initialize();
    await dataSource.runMigrations();
  });

  afterAll(() => dataSource.destroy());

  async function insertUser(): Promise<string> {
    const id = randomUUID();
    await dataSource.manager.insert(User, {
      id,
      email: `${id}@example.com`,
      passwordHash: 'secret-hash',
      phoneE164: '+447123456789',
      phoneCountryCode: '44',
      phoneNationalNumber: '7123456789',
      createdAt: at,
      updatedAt: at,
    });
    return id;
  }

  it('reads an entity exactly as findOneBy does, outside a transaction and inside one', async () => {
    const id = await insertUser();
    const expected = await dataSource.getRepository(User).findOneBy({ id });

    await expect(byId.one(User, [id])).resolves.toEqual(expected);
    const inside = await transaction((manager) => byId.one(User, [id], manager));
    expect(inside).toEqual(expected);
    expect(inside).toBeInstanceOf(User);
    await expect(byId.one(User, [randomUUID()])).resolves.toBeNull();
  });

  it('writes in the transaction, with values as the driver stores them, and answers the rows changed', async () => {
    const id = await insertUser();
    const confirmedAt = new Date('2026-11-29T11:00:00.001Z');

    const changed = await transaction((manager) =>
      confirm.run(
        [
          confirm.value(User, 'phoneConfirmed', true),
          confirm.value(User, 'phoneConfirmedAt', confirmedAt),
          id,
        ],
        manager,
      ),
    );

    expect(changed).toBe(1);
    await expect(byId.one(User, [id])).resolves.toMatchObject({
      phoneConfirmed: true,
      phoneConfirmedAt: confirmedAt,
    });
  });

  it('hydrates a raw value as TypeORM does', async () => {
    const id = await insertUser();
    const [row] = await new PreparedSql(
      dataSource,
      ({ table, column, parameter }) =>
        `SELECT ${column(User, 'createdAt', 'u')} AS created FROM ${table(User)} u WHERE u.id = ${parameter(0)}`,
    ).rows([id]);

    expect(byId.hydrate(User, 'createdAt', row.created)).toEqual(at);
  });

  it('refuses a write outside a transaction', async () => {
    await expect(confirm.run([1, null, randomUUID()], dataSource.manager)).rejects.toThrow(
      'runs in a transaction',
    );
  });
});
