import { Global, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { buildDataSourceOptions } from './data-source-options';
import { appConfig, authConfig, databaseConfig, verifyConfig } from '../config';
import { DatabaseAvailability } from './database-availability';
import { IdentityDataSource } from './identity-data-source';
import { TransactionRunner } from './transaction-runner';

@Global()
@Module({
  providers: [{ provide: DatabaseAvailability, useFactory: () => new DatabaseAvailability() }],
  exports: [DatabaseAvailability],
})
class DatabaseAvailabilityModule {}

@Global()
@Module({
  imports: [
    DatabaseAvailabilityModule,
    TypeOrmModule.forRootAsync({
      // The other namespaces are injected only so that every setting is validated before migrations run.
      inject: [databaseConfig.KEY, DatabaseAvailability, appConfig.KEY, authConfig.KEY, verifyConfig.KEY],
      useFactory: (config: ConfigType<typeof databaseConfig>, availability: DatabaseAvailability) => ({
        ...buildDataSourceOptions(config, availability),
        migrationsRun: true,
        migrationsTransactionMode: 'each',
        retryAttempts: 3,
        retryDelay: 1000,
      }),
      dataSourceFactory: (options) => Promise.resolve(new IdentityDataSource(options!)),
    }),
  ],
  providers: [TransactionRunner],
  exports: [TransactionRunner, DatabaseAvailabilityModule],
})
export class DatabaseModule {}
