import { ConfigModuleOptions } from '@nestjs/config';
import { appConfig } from './app.config';
import { authConfig } from './auth.config';
import { databaseConfig } from './database.config';
import { metricsConfig } from './metrics.config';
import { pumpingConfig } from './pumping.config';
import { verifyConfig } from './verify.config';

export { appConfig, authConfig, databaseConfig, metricsConfig, pumpingConfig, verifyConfig };

export const configModuleOptions: ConfigModuleOptions = {
  isGlobal: true,
  cache: true,
  ignoreEnvFile: process.env.NODE_ENV === 'test',
  load: [appConfig, authConfig, databaseConfig, verifyConfig, metricsConfig, pumpingConfig],
};
