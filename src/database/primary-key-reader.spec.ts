import { randomUUID } from 'node:crypto';
import { User } from '../users/entities/user.entity';
import { buildDataSourceOptions } from './data-source-options';
import { IdentityDataSource } from './identity-data-source';
import { PrimaryKeyReader } from './primary-key-reader';

describe('PrimaryKeyReader (SQLite; the PostgreSQL e2e run reads every token user through it)', () => {
  const dataSource = new IdentityDataSource(buildDataSourceOptions({ type: 'sqlite', file: ':memory:' }));

  beforeAll(async () => {
    await dataSource.initialize();
    await dataSource.runMigrations();
  });

  afterAll(() => dataSource.destroy());

  const at = new Date('2026-11-29T10:11:12.345Z');
  it.each([
    ['without a phone', {}],
    [
      'with a confirmed phone',
      {
        phoneE164: '+447123456789',
        phoneCountryCode: '44',
        phoneNationalNumber: '7123456789',
        phoneConfirmed: true,
        phoneConfirmedAt: at,
      },
    ],
  ])('reads a user %s exactly as findOneBy does, without the password hash', async (_name, fields) => {
    const id = randomUUID();
    await dataSource.manager.insert(User, {
      id,
      email: `${id}@example.com`,
      passwordHash: 'secret-hash',
      createdAt: at,
      updatedAt: at,
      ...fields,
    });
    const repository = dataSource.getRepository(User);

    const read = await new PrimaryKeyReader(repository).find(id);

    expect(read).toEqual(await repository.findOneBy({ id }));
    expect(read).toBeInstanceOf(User);
    expect(read?.passwordHash).toBeUndefined();
    expect(read?.createdAt).toEqual(at);
  });

  it('answers null for an unknown key', async () => {
    await expect(new PrimaryKeyReader(dataSource.getRepository(User)).find(randomUUID())).resolves.toBeNull();
  });
});
