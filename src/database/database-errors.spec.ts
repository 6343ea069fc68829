import { isDatabaseUnavailable, isInvalidInput, isUniqueViolation } from './database-errors';

function withCode(code: string, message = 'failed'): Error {
  return Object.assign(new Error(message), { code });
}

/** TypeORM's QueryFailedError keeps the driver's error under `driverError`. */
function wrapped(error: Error): Error {
  return Object.assign(new Error('query failed'), { driverError: error });
}

describe('isDatabaseUnavailable', () => {
  it.each([
    ['statement_timeout (57014)', withCode('57014', 'canceling statement due to statement timeout')],
    ['lock_timeout (55P03)', withCode('55P03')],
    ['admin_shutdown (57P01)', withCode('57P01')],
    ['crash_shutdown (57P02)', withCode('57P02')],
    ['cannot_connect_now (57P03)', withCode('57P03')],
    ['too_many_connections (53300)', withCode('53300')],
    ['connection_failure (08006)', withCode('08006')],
    ['connection_exception (08000)', withCode('08000')],
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a reset connection', withCode('ECONNRESET')],
    ['the driver query timeout', new Error('Query read timeout')],
    ['the pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a connect timeout', new Error('Connection terminated due to connection timeout')],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a cut connection', new Error('Client was closed and is not queryable')],
    ['SQLite busy', withCode('SQLITE_BUSY')],
    ['SQLite busy (extended)', withCode('SQLITE_BUSY_SNAPSHOT')],
    ['SQLite locked', withCode('SQLITE_LOCKED')],
    ['57014 inside a QueryFailedError', wrapped(withCode('57014'))],
    ['a driver timeout inside a QueryFailedError', wrapped(new Error('Query read timeout'))],
  ])('is true for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a syntax error', withCode('42601')],
    ['a SQLite constraint', withCode('SQLITE_CONSTRAINT_UNIQUE')],
    ['SQLITE_BUSYNESS (not a busy code)', withCode('SQLITE_BUSYNESS')],
    ['a plain error', new Error('boom')],
    ['a string', 'Query read timeout'],
    ['null', null],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('isUniqueViolation / isInvalidInput', () => {
  it.each([
    [withCode('23505'), true, false],
    [wrapped(withCode('SQLITE_CONSTRAINT_UNIQUE')), true, false],
    [withCode('22021'), false, true],
    [withCode('22001'), false, true],
    [withCode('57014'), false, false],
  ])('%p: unique %p, invalid input %p', (error, unique, invalid) => {
    expect(isUniqueViolation(error)).toBe(unique);
    expect(isInvalidInput(error)).toBe(invalid);
  });
});
