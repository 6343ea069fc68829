import { NestApplicationOptions } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { corsOptionsDelegate } from './common/http/cors';
import { jsonBody } from './common/http/json-body.middleware';
import { QuietNestLogger } from './common/logging/quiet-nest-logger';
import { appConfig } from './config';
import { AppConfig } from './config/app.config';
import { httpMetrics } from './metrics/http-metrics.middleware';
import { IdentityMetrics } from './metrics/identity-metrics';

/** Options of `NestFactory.create` and `createNestApplication`: the body is parsed by `jsonBody`. */
export const APP_OPTIONS: NestApplicationOptions = { bodyParser: false, bufferLogs: true };

/** Everything `main.ts` and the e2e tests must share, applied before `listen`/`init`. */
export function setupApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get<AppConfig>(appConfig.KEY);
  app.useLogger(new QuietNestLogger(app.get(Logger)));
  // First, so that requests refused by any later middleware are timed too.
  app.use(httpMetrics(app.get(IdentityMetrics)));
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(helmet());
  app.enableCors(
    corsOptionsDelegate({ origins: config.corsOrigins, allowedHeaders: config.corsAllowedHeaders }),
  );
  app.use(jsonBody);
  setupSwagger(app);
  return app;
}

function setupSwagger(app: NestExpressApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Identity service')
      .setDescription(
        'Accounts, short-lived JWT access tokens and proof of phone-number ownership through Twilio Verify. ' +
          'Every error answers `{ statusCode, error, code, message, details? }`.',
      )
      .setVersion('1.0')
      .addTag('auth', 'Register and log in: short-lived JWT access tokens')
      .addTag('users', 'The signed-in user and their phone number')
      .addTag('phone-verification', 'Prove ownership of the phone number with a code')
      .addTag('health', 'Readiness and liveness')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
