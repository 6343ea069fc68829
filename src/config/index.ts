import { ConfigModuleOptions } from '@nestjs/config';
import { appConfig } from './app.config';
import { authConfig } from './auth.config';
import { databaseConfig } from './database.config';
import { demoUiConfig } from './demo-ui.config';
import { verifyConfig } from './verify.config';

export { appConfig, authConfig, databaseConfig, demoUiConfig, verifyConfig };

export const configModuleOptions: ConfigModuleOptions = {
  isGlobal: true,
  cache: true,
  ignoreEnvFile: process.env.NODE_ENV === 'test',
  load: [appConfig, authConfig, databaseConfig, verifyConfig, demoUiConfig],
};
