import 'reflect-metadata';
import { readDatabaseConfig } from './src/config/database.config';
import { buildDataSourceOptions } from './src/database/data-source-options';
import { IdentityDataSource } from './src/database/identity-data-source';

/** The DataSource of the TypeORM CLI (`npm run migration:*`): the same options as the app's, from DATABASE_URL. */
export default new IdentityDataSource(buildDataSourceOptions(readDatabaseConfig()));
