import './thread-pool.init';
import './heap.init';
import { Logger } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { APP_OPTIONS, setupApp } from './app.setup';
import { startupBanner } from './common/logging/startup-banner';
import { findWebRoot } from './demo-ui/web-root';
import { appConfig, databaseConfig, demoUiConfig, validateConfiguration, verifyConfig } from './config';
import { AppConfig } from './config/app.config';
import { DatabaseConfig } from './config/database.config';
import { DemoUiConfig } from './config/demo-ui.config';
import { ConfigurationError } from './config/validate-config';
import { VerifyConfig } from './config/verify.config';

// Kubernetes sends SIGKILL 30 s after SIGTERM: finish well before.
const SHUTDOWN_DEADLINE_MS = 25_000;

async function bootstrap(): Promise<void> {
  await ConfigModule.envVariablesLoaded;
  validateConfiguration();
  const app = setupApp(
    await NestFactory.create<NestExpressApplication>(AppModule, { ...APP_OPTIONS, abortOnError: false }),
  );
  const config = app.get<AppConfig>(appConfig.KEY);
  await app.listen(config.port, config.host);
  const logger = new Logger('Bootstrap');
  logBanner(app, logger);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: finishing requests in flight`);
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    // Nest's close() destroys modules before the HTTP server, which would cut provider calls of requests
    // still in flight: stop accepting and let those finish first.
    closeHttpServer(app)
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(error);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** Where everything is, so that a newcomer needs nothing else: the URLs, the provider and the database. */
function logBanner(app: NestExpressApplication, logger: Logger): void {
  const config = app.get<AppConfig>(appConfig.KEY);
  const { port } = app.getHttpServer().address() as { port: number };
  const banner = startupBanner({
    host: config.host,
    port,
    provider: app.get<VerifyConfig>(verifyConfig.KEY).provider,
    database: app.get<DatabaseConfig>(databaseConfig.KEY),
    redisUrl: config.redisUrl,
    // Shown only when the page is there to open: DEMO_UI on and the client built.
    demoUi: app.get<DemoUiConfig>(demoUiConfig.KEY).enabled && findWebRoot() !== undefined,
  });
  if (config.logFormat === 'pretty') logger.log(banner.lines.join('\n'));
  else logger.log(banner.fields, banner.message);
}

function closeHttpServer(app: NestExpressApplication): Promise<void> {
  return new Promise((resolve) => app.getHttpServer().close(() => resolve()));
}

bootstrap().catch((error: unknown) => {
  // Configuration errors name the variable: one line, without a stack. Anything else is unexpected: the
  // start-up logs held back until then (the stack among them), then what stopped the start as the last line.
  if (error instanceof ConfigurationError) {
    console.error(error.message);
  } else {
    Logger.flush();
    console.error(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
