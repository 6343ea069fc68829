// Writes the OpenAPI document the service serves at /docs-json to a file, without listening anywhere:
// `npm run openapi:export -- <file>` (default examples/generated/openapi.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

// Configuration is read while the application module loads: a throwaway in-memory database, quiet logs.
Object.assign(process.env, {
  NODE_ENV: 'test',
  DATABASE_URL: 'sqlite::memory:',
  LOG_LEVEL: 'silent',
  LOG_FORMAT: 'json',
});

async function main(): Promise<void> {
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('../src/app.module');
  const { APP_OPTIONS, buildOpenApiDocument } = await import('../src/app.setup');
  const target = resolve(process.argv[2] ?? 'examples/generated/openapi.json');
  const app = await NestFactory.create(AppModule, { ...APP_OPTIONS, logger: false });
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
    console.log(`OpenAPI document written to ${target}`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
