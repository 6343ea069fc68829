import { Logger } from '@nestjs/common';
import { ConfigModuleOptions } from '@nestjs/config';
import { appConfig } from './app.config';
import { authConfig } from './auth.config';
import { databaseConfig } from './database.config';
import { demoUiConfig } from './demo-ui.config';
import { metricsConfig } from './metrics.config';
import { pumpingConfig } from './pumping.config';
import { verifyConfig } from './verify.config';

export { appConfig, authConfig, databaseConfig, demoUiConfig, metricsConfig, pumpingConfig, verifyConfig };

/** Every configuration namespace: each reads and validates its variables when it loads. */
const NAMESPACES = [
  appConfig,
  authConfig,
  databaseConfig,
  verifyConfig,
  metricsConfig,
  pumpingConfig,
  demoUiConfig,
];

export const configModuleOptions: ConfigModuleOptions = {
  isGlobal: true,
  cache: true,
  ignoreEnvFile: process.env.NODE_ENV === 'test',
  load: NAMESPACES,
};

/**
 * Loads every namespace once before the application is built, so that a bad value stops the process with its
 * one-line message rather than from inside Nest's module loader (which prints a stack trace). The warnings the
 * namespaces log are silenced here: they are logged when the application loads them.
 */
export function validateConfiguration(): void {
  Logger.overrideLogger(false);
  try {
    for (const load of NAMESPACES) load();
  } finally {
    // A plain Logger instance restores Nest's default console logger.
    Logger.overrideLogger(new Logger());
  }
}
