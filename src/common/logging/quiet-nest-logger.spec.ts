import { LoggerService } from '@nestjs/common';
import { QuietNestLogger } from './quiet-nest-logger';

describe('QuietNestLogger', () => {
  const calls: [string, unknown[]][] = [];
  const record =
    (level: string) =>
    (...args: unknown[]) =>
      calls.push([level, args]);
  const inner = {
    log: record('log'),
    debug: record('debug'),
    warn: record('warn'),
    error: record('error'),
  } satisfies LoggerService;
  const logger = new QuietNestLogger(inner);

  beforeEach(() => calls.splice(0));

  it.each(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication'])(
    "demotes Nest's %s lines to debug",
    (context) => {
      logger.log('Mapped {/auth/login, POST} route', context);

      expect(calls).toEqual([['debug', ['Mapped {/auth/login, POST} route', context]]]);
    },
  );

  it('keeps the lines of the application, and warnings of any context', () => {
    logger.log('listening', 'Bootstrap');
    logger.warn('careful', 'InstanceLoader');

    expect(calls).toEqual([
      ['log', ['listening', 'Bootstrap']],
      ['warn', ['careful', 'InstanceLoader']],
    ]);
  });
});
