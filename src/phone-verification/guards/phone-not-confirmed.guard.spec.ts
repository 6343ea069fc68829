import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { AppError } from '../../common/app-error';
import { User } from '../../users/entities/user.entity';
import { PhoneNotConfirmedGuard } from './phone-not-confirmed.guard';

function userWith(phone: Pick<User, 'phoneE164' | 'phoneConfirmed' | 'phoneConfirmedAt'>): User {
  return Object.assign(new User(), {
    id: '6f1c1f0e-8d0a-4c59-9c1e-2f5b7a9d3e41',
    email: 'ada@example.com',
    phoneCountryCode: phone.phoneE164 ? '44' : null,
    phoneNationalNumber: phone.phoneE164 ? phone.phoneE164.slice(3) : null,
    createdAt: new Date('2026-11-25T10:00:00.000Z'),
    updatedAt: new Date('2026-11-25T10:00:00.000Z'),
    ...phone,
  });
}

/** The context of an HTTP request that the JWT guard has already authenticated as `user`. */
function httpContextFor(user: User): ExecutionContextHost {
  const context = new ExecutionContextHost([{ user }, {}, () => undefined]);
  context.setType('http');
  return context;
}

describe('PhoneNotConfirmedGuard', () => {
  const guard = new PhoneNotConfirmedGuard();

  it('refuses a user whose number is confirmed with 409 PHONE_ALREADY_CONFIRMED', () => {
    const user = userWith({
      phoneE164: '+447123456789',
      phoneConfirmed: true,
      phoneConfirmedAt: new Date('2026-11-25T10:05:00.000Z'),
    });

    let thrown: unknown;
    try {
      guard.canActivate(httpContextFor(user));
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ code: 'PHONE_ALREADY_CONFIRMED', status: 409 });
  });

  it('lets a user with an unconfirmed number through', () => {
    const user = userWith({ phoneE164: '+447123456789', phoneConfirmed: false, phoneConfirmedAt: null });

    expect(guard.canActivate(httpContextFor(user))).toBe(true);
  });

  it('lets a user without a number through, so that start can store one', () => {
    const user = userWith({ phoneE164: null, phoneConfirmed: false, phoneConfirmedAt: null });

    expect(guard.canActivate(httpContextFor(user))).toBe(true);
  });
});
