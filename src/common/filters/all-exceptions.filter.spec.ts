import {
  ArgumentsHost,
  BadRequestException,
  HttpException,
  HttpStatus,
  InternalServerErrorException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { AppError } from '../app-error';
import { AllExceptionsFilter } from './all-exceptions.filter';

interface Captured {
  status?: number;
  body?: unknown;
  headers: Record<string, string>;
}

function fakeHost(headersSent = false): { host: ArgumentsHost; captured: Captured } {
  const captured: Captured = { headers: {} };
  const response = {
    headersSent,
    setHeader: (name: string, value: string) => {
      captured.headers[name.toLowerCase()] = value;
    },
    hasHeader: (name: string) => name.toLowerCase() in captured.headers,
    status(status: number) {
      captured.status = status;
      return this;
    },
    json(body: unknown) {
      captured.body = body;
      return this;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  return { host, captured };
}

describe('AllExceptionsFilter', () => {
  const filter = new AllExceptionsFilter();
  let logged: jest.SpyInstance;

  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  function answer(exception: unknown): Captured {
    const { host, captured } = fakeHost();
    filter.catch(exception, host);
    return captured;
  }

  it('answers an AppError with its status, code, message, extra fields and a whole-second Retry-After', () => {
    const captured = answer(
      new AppError('TOO_MANY_ATTEMPTS', 'Too many wrong codes', {
        retryAfterSeconds: 41.2,
        extra: { attemptsRemaining: 0 },
      }),
    );

    expect(captured.status).toBe(429);
    expect(captured.headers['retry-after']).toBe('42');
    expect(captured.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      code: 'TOO_MANY_ATTEMPTS',
      message: 'Too many wrong codes',
      attemptsRemaining: 0,
    });
  });

  it('never answers a Retry-After of 0 for an AppError about to expire', () => {
    const captured = answer(new AppError('RATE_LIMITED', 'Slow down', { retryAfterSeconds: 0.01 }));

    expect(captured.headers['retry-after']).toBe('1');
  });

  it('sends no Retry-After for an AppError without one', () => {
    const captured = answer(new AppError('EMAIL_TAKEN', 'An account with this email already exists'));

    expect(captured.status).toBe(409);
    expect(captured.headers).toEqual({});
    expect(captured.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      code: 'EMAIL_TAKEN',
      message: 'An account with this email already exists',
    });
  });

  it('keeps the details of a validation failure', () => {
    const details = [{ field: 'password', messages: ['password must be 8 to 128 characters long'] }];

    const captured = answer(
      new AppError('VALIDATION_FAILED', details[0].messages[0], { extra: { details } }),
    );

    expect(captured.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: 'password must be 8 to 128 characters long',
      details,
    });
  });

  it('answers a ThrottlerException with 429 RATE_LIMITED', () => {
    const captured = answer(new ThrottlerException());

    expect(captured.status).toBe(429);
    expect(captured.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      code: 'RATE_LIMITED',
      message: 'Too many requests',
    });
  });

  it("answers Nest's NotFoundException with 404 NOT_FOUND and its message", () => {
    const captured = answer(new NotFoundException('Cannot GET /nowhere'));

    expect(captured.status).toBe(404);
    expect(captured.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'NOT_FOUND',
      message: 'Cannot GET /nowhere',
    });
  });

  it('joins the messages of a BadRequestException into VALIDATION_FAILED', () => {
    const captured = answer(new BadRequestException(['email must be an email', 'password is too short']));

    expect(captured.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: 'email must be an email; password is too short',
    });
  });

  it.each([
    ['an InternalServerErrorException', new InternalServerErrorException('pool exhausted: password=hunter2')],
    [
      'a 500 HttpException',
      new HttpException({ message: 'SELECT * FROM users' }, HttpStatus.INTERNAL_SERVER_ERROR),
    ],
  ])('answers %s with a bare 500 INTERNAL_ERROR and logs it', (_case, exception) => {
    const captured = answer(exception);

    expect(captured.status).toBe(500);
    expect(captured.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
    });
    expect(logged).toHaveBeenCalled();
  });

  it.each([
    ['a refused connection', { code: 'ECONNREFUSED' }],
    ['a TypeORM error wrapping a PostgreSQL shutdown', { driverError: { code: '57P01' } }],
    ['a PostgreSQL connection exception class 08', { code: '08006' }],
    ['a busy SQLite database', { code: 'SQLITE_BUSY' }],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
  ])('answers %s with 503 SERVICE_UNAVAILABLE', (_case, exception) => {
    const captured = answer(exception);

    expect(captured.status).toBe(503);
    expect(captured.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'SERVICE_UNAVAILABLE',
      message: 'Service unavailable',
    });
  });

  it.each([
    ['a plain Error', new Error('SELECT secret FROM users; JWT_SECRET=abc')],
    ['a thrown string', 'password=hunter2'],
    ['undefined', undefined],
    ['a unique violation that escaped its service', { code: '23505', detail: 'Key (email)=(a@b.c) exists' }],
  ])('answers %s with a bare 500 that leaks nothing, and logs it for operators', (_case, exception) => {
    const captured = answer(exception);

    expect(captured.status).toBe(500);
    expect(captured.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
    });
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it('writes nothing once the headers are sent', () => {
    const { host, captured } = fakeHost(true);

    filter.catch(new AppError('RATE_LIMITED', 'Slow down', { retryAfterSeconds: 5 }), host);

    expect(captured).toEqual({ headers: {} });
  });

  describe('WWW-Authenticate on a 401', () => {
    it('names the Bearer scheme by default', () => {
      expect(answer(new AppError('INVALID_CREDENTIALS', 'Email or password is incorrect')).headers).toEqual({
        'www-authenticate': 'Bearer',
      });
    });

    it("sends the error's own challenge", () => {
      const challenge = 'Bearer error="invalid_token", error_description="The access token expired"';
      const captured = answer(
        new AppError('UNAUTHORIZED', 'The access token expired', { wwwAuthenticate: challenge }),
      );
      expect(captured.headers['www-authenticate']).toBe(challenge);
    });

    it('keeps a challenge the route set itself', () => {
      const { host, captured } = fakeHost();
      const response = host.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>();
      response.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      filter.catch(new AppError('UNAUTHORIZED', 'A valid metrics token is required'), host);
      expect(captured.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    });

    it('is not sent with other statuses', () => {
      expect(answer(new AppError('EMAIL_TAKEN', 'taken')).headers).toEqual({});
    });
  });
});
