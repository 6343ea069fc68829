import { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type {
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import helmet from 'helmet';
import { Logger, Params, PARAMS_PROVIDER_TOKEN } from 'nestjs-pino';
import { corsOptionsDelegate } from './common/http/cors';
import { jsonBody } from './common/http/json-body.middleware';
import { requestLoggingOptions } from './common/logging/logger.options';
import { QuietNestLogger } from './common/logging/quiet-nest-logger';
import { requestLogging } from './common/logging/request-logging';
import { appConfig } from './config';
import { AppConfig } from './config/app.config';
import { httpMetrics } from './metrics/http-metrics.middleware';
import { IdentityMetrics } from './metrics/identity-metrics';

/**
 * Options of `NestFactory.create` and `createNestApplication`: the body is parsed by `jsonBody`; start-up logs
 * wait for the application's logger, and are flushed by `setupApp` (on a failed start, main.ts decides what
 * to print: a configuration error is one line).
 */
export const APP_OPTIONS: NestApplicationOptions = {
  bodyParser: false,
  bufferLogs: true,
  autoFlushLogs: false,
};

/** Everything `main.ts` and the e2e tests must share, applied before `listen`/`init`. */
export function setupApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get<AppConfig>(appConfig.KEY);
  app.useLogger(new QuietNestLogger(app.get(Logger)));
  app.flushLogs();
  // First, so that requests refused by any later middleware are timed too.
  app.use(httpMetrics(app.get(IdentityMetrics)));
  app.use(requestLogging(requestLoggingOptions(app.get<Params>(PARAMS_PROVIDER_TOKEN))));
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
  // Built on the first request to /docs or /docs-json, not at start-up: scanning every route and DTO is work
  // that the first answer does not need.
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}

/** The OpenAPI 3 document of every route, as served at /docs-json (and exported for client generators). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Identity service')
      .setDescription(
        'Accounts, short-lived JWT access tokens and proof of phone-number ownership through Twilio Verify. ' +
          'Every error answers `{ statusCode, error, code, message, details? }`: branch on `code`.',
      )
      .setVersion('1.0')
      .addTag('auth', 'Register and log in: short-lived JWT access tokens')
      .addTag('users', 'The signed-in user and their phone number')
      .addTag('phone-verification', 'Prove ownership of the phone number with a code')
      .addTag('health', 'Readiness and liveness')
      .addBearerAuth()
      .build(),
    // The method name, unless the route names its operation: generated clients get `startVerification()`.
    { operationIdFactory: (_controller, method) => method },
  );
  return oneParameterPerHeader(closeRequestSchemas(document));
}

/**
 * A handler reading a header (`@Headers('idempotency-key')`) makes Nest list it as a required parameter, next to
 * the one the route documents (`@ApiHeader`): generated clients would then demand an optional header. Header
 * names are case-insensitive, so one parameter per name is kept: the documented one.
 */
export function oneParameterPerHeader(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as { parameters?: (ParameterObject | ReferenceObject)[] }[]) {
      if (!operation?.parameters) continue;
      const headers = (parameter: ParameterObject | ReferenceObject): parameter is ParameterObject =>
        !('$ref' in parameter) && parameter.in === 'header';
      const documented = new Set(
        operation.parameters
          .filter(headers)
          .filter((p) => p.description)
          .map((p) => p.name.toLowerCase()),
      );
      operation.parameters = operation.parameters.filter(
        (parameter) =>
          !headers(parameter) || parameter.description || !documented.has(parameter.name.toLowerCase()),
      );
    }
  }
  return document;
}

/** Request bodies accept no field they do not declare (unknown fields are refused): say so in their schemas. */
export function closeRequestSchemas(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as { requestBody?: RequestBodyObject }[]) {
      const ref = (
        operation?.requestBody?.content?.['application/json']?.schema as ReferenceObject | undefined
      )?.$ref;
      const schema = ref ? schemas[ref.replace('#/components/schemas/', '')] : undefined;
      if (schema && !('$ref' in schema)) schema.additionalProperties = false;
    }
  }
  return document;
}
