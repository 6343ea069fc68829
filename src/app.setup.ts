import { NestApplicationOptions } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { jsonBody } from './common/http/json-body.middleware';
import { appConfig } from './config';
import { AppConfig } from './config/app.config';

/** Options of `NestFactory.create` and `createNestApplication`: the body is parsed by `jsonBody`. */
export const APP_OPTIONS: NestApplicationOptions = { bodyParser: false, bufferLogs: true };

/** Everything `main.ts` and the e2e tests must share, applied before `listen`/`init`. */
export function setupApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get<AppConfig>(appConfig.KEY);
  app.useLogger(app.get(Logger));
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(helmet());
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      exposedHeaders: ['Retry-After', 'X-Request-Id', 'WWW-Authenticate'],
      maxAge: 600,
    });
  }
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
