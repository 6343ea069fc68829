import { TestingModuleBuilder } from '@nestjs/testing';
import { PARAMS_PROVIDER_TOKEN } from 'nestjs-pino';
import { Writable } from 'node:stream';
import { loggerOptions } from '../../src/common/logging/logger.options';
import { appConfig } from '../../src/config';
import { AppConfig } from '../../src/config/app.config';

export type LogLine = Record<string, unknown> & { level: number; msg?: unknown };

/** pino's numeric levels. */
export const LOG_LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/**
 * Every line the app logs, as the service writes it (its own logger options, JSON, level `debug`), captured
 * in memory instead of stdout. Pass `override` to `createTestApp`.
 */
export class LogCapture {
  readonly lines: LogLine[] = [];
  private raw = '';

  private readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, callback) => {
      this.raw += chunk.toString('utf8');
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') this.lines.push(JSON.parse(line) as LogLine);
      }
      callback();
    },
  });

  readonly override = (builder: TestingModuleBuilder): TestingModuleBuilder =>
    builder.overrideProvider(PARAMS_PROVIDER_TOKEN).useFactory({
      inject: [appConfig.KEY],
      factory: (config: AppConfig) => {
        const params = loggerOptions({ ...config, logLevel: 'debug', logFormat: 'json' });
        // The service's options, with this stream in place of its destination.
        const options = Array.isArray(params.pinoHttp) ? params.pinoHttp[0] : params.pinoHttp;
        return { ...params, pinoHttp: [options, this.stream] };
      },
    });

  /** Everything written so far, as one text. */
  get text(): string {
    return this.raw;
  }

  /** Lines whose structured event (top level or in `msg`) is `event`. */
  events(event: string): LogLine[] {
    return this.lines.filter(
      (line) => line.event === event || (line.msg as { event?: unknown } | undefined)?.event === event,
    );
  }
}
