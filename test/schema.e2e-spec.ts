import { DataSource } from 'typeorm';
import { createTestApp, DATABASE_LABEL, TestApp } from './utils/test-app';

describe(`entities and migrations (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });

  afterAll(() => testApp?.close());

  it('agree: on the migrated database, the schema builder (what migration:generate writes) has nothing to do', async () => {
    const dataSource = testApp.app.get(DataSource);

    const { upQueries } = await dataSource.driver.createSchemaBuilder().log();

    // Each statement names the drift: declare the index, foreign key or column type in the entity, or add a
    // migration (never edit a committed one).
    expect(upQueries.map((query) => query.query)).toEqual([]);
  });
});
