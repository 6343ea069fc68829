import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { APP_OPTIONS, setupApp } from './app.setup';
import { appConfig } from './config';
import { AppConfig } from './config/app.config';

// Kubernetes sends SIGKILL 30 s after SIGTERM: finish well before.
const SHUTDOWN_DEADLINE_MS = 25_000;

async function bootstrap(): Promise<void> {
  const app = setupApp(await NestFactory.create<NestExpressApplication>(AppModule, APP_OPTIONS));
  const { port } = app.get<AppConfig>(appConfig.KEY);
  await app.listen(port);
  const logger = new Logger('Bootstrap');
  logger.log(`listening on port ${port}`);

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

function closeHttpServer(app: NestExpressApplication): Promise<void> {
  return new Promise((resolve) => app.getHttpServer().close(() => resolve()));
}

bootstrap().catch((error: unknown) => {
  // Configuration errors name the variable; print them plainly, without a stack.
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
