import { Writable } from 'node:stream';
import { pino } from 'pino';
import { requestIdOf, requestLine, RequestScopedLogger } from './request-logging';

const request = {
  method: 'GET',
  url: '/users/me?access_token=secret',
  socket: { remoteAddress: '10.0.0.7' },
};

describe('requestIdOf', () => {
  it('echoes a safe id', () => {
    expect(requestIdOf('req-123.abc_DEF')).toBe('req-123.abc_DEF');
  });

  it.each([['evil value\twith tab'], ['x'.repeat(65)], [''], [['a', 'b']], [undefined]])(
    'replaces %j with a new id',
    (incoming) => {
      expect(requestIdOf(incoming as string | string[] | undefined)).toMatch(/^[0-9a-f-]{36}$/);
    },
  );
});

describe('requestLine', () => {
  it('holds the path without its query, the status and the time', () => {
    expect(requestLine('id-1', request as never, 200, 3, true)).toEqual({
      level: 'info',
      message: 'request completed',
      fields: {
        reqId: 'id-1',
        req: { id: 'id-1', method: 'GET', url: '/users/me', remoteAddress: '10.0.0.7' },
        res: { statusCode: 200 },
        responseTime: 3,
      },
    });
  });

  it.each([
    [201, 'info', 'request completed'],
    [401, 'warn', 'request completed'],
    [429, 'warn', 'request completed'],
    [503, 'error', 'request errored'],
  ])('status %d is %s: %s', (status, level, message) => {
    expect(requestLine('id', request as never, status, 1, true)).toMatchObject({ level, message });
  });

  it('says when the client went away before the answer', () => {
    expect(requestLine('id', request as never, 200, 1, false).message).toBe('request aborted');
  });
});

describe('RequestScopedLogger', () => {
  function capture(level: string) {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        callback();
      },
    });
    return { lines, root: pino({ level }, stream) };
  }

  it('writes the request id on each line', () => {
    const { lines, root } = capture('info');
    const logger = new RequestScopedLogger(root, 'req-9');
    logger.info({ event: 'register' }, 'created');
    logger.warn('careful');
    expect(lines).toEqual([
      expect.objectContaining({ reqId: 'req-9', event: 'register', msg: 'created', level: 30 }),
      expect.objectContaining({ reqId: 'req-9', msg: 'careful', level: 40 }),
    ]);
  });

  it('makes no child logger for lines below the level', () => {
    const { lines, root } = capture('info');
    const child = jest.spyOn(root, 'child');
    new RequestScopedLogger(root, 'req-9').debug('hidden');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });
});
