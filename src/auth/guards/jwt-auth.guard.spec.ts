import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../../common/app-error';
import type { BearerAuthenticator, BearerOutcome } from '../bearer-authenticator';
import { JwtAuthGuard } from './jwt-auth.guard';

function guardAnswering(authenticate: () => Promise<BearerOutcome>): JwtAuthGuard {
  return new JwtAuthGuard(new Reflector(), { authenticate } as unknown as BearerAuthenticator);
}

const route = {
  getHandler: () => () => undefined,
  getClass: () => class {},
  switchToHttp: () => ({ getRequest: () => ({ headers: {} }) }),
} as unknown as ExecutionContext;

describe('JwtAuthGuard', () => {
  it('answers 401 with the reason when the token is refused', async () => {
    const guard = guardAnswering(async () => ({ failure: { reason: 'expired' } }));

    const refusal = await guard.canActivate(route).catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: 'UNAUTHORIZED', message: 'The access token expired' });
  });

  it('lets any other failure through as it is: a valid token is never answered 401', async () => {
    const failure = new TypeError("Cannot read properties of undefined (reading 'id')");
    const guard = guardAnswering(() => Promise.reject(failure));

    await expect(guard.canActivate(route)).rejects.toBe(failure);
  });
});
