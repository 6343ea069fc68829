import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { readDatabaseConfig } from './src/config/database.config';
import { buildDataSourceOptions } from './src/database/data-source-options';

/** The DataSource of the TypeORM CLI (`npm run migration:*`): the same options as the app's, from DATABASE_URL. */
export default new DataSource(buildDataSourceOptions(readDatabaseConfig()));
