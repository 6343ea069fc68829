import { ERROR_STATUS, ErrorCode } from '../error-codes';
import { ANY_ROUTE_ERRORS, errorCodesByStatus, errorExample } from './api-error-responses.decorator';

describe('errorExample', () => {
  it.each(Object.keys(ERROR_STATUS) as ErrorCode[])('%s: a body with its own status and code', (code) => {
    const body = errorExample(code);

    expect(body).toMatchObject({ statusCode: ERROR_STATUS[code], code, message: expect.any(String) });
    expect(body.error).not.toBe('Error');
    expect(body).not.toHaveProperty('retryAfterSeconds');
  });

  it('carries the fields the body carries with that code', () => {
    expect(errorExample('INVALID_CODE')).toHaveProperty('attemptsRemaining');
    expect(errorExample('VALIDATION_FAILED').details).toEqual([
      { field: 'password', messages: [expect.any(String)] },
    ]);
  });
});

describe('errorCodesByStatus', () => {
  it('groups the route codes and those of any route by status, in ascending order', () => {
    const byStatus = errorCodesByStatus([
      'UNAUTHORIZED',
      'INVALID_CODE',
      'TOO_MANY_ATTEMPTS',
      'VERIFY_PROVIDER_ERROR',
    ]);

    expect([...byStatus.keys()]).toEqual([400, 401, 413, 415, 429, 500, 502, 503]);
    expect(byStatus.get(400)).toEqual(['INVALID_CODE', 'VALIDATION_FAILED']);
    expect(byStatus.get(429)).toEqual(['TOO_MANY_ATTEMPTS', 'RATE_LIMITED']);
    for (const code of ANY_ROUTE_ERRORS) expect(byStatus.get(ERROR_STATUS[code])).toContain(code);
  });

  it('lists a code once even when the route repeats one of any route', () => {
    expect(errorCodesByStatus(['RATE_LIMITED']).get(429)).toEqual(['RATE_LIMITED']);
  });
});
