import { Logger } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { WindowLimits } from '../common/rate-limit/window-limits';
import { verifyConfigWith } from '../../test/utils/verify-config';
import { GuessCaps } from './guess-caps';
import { SendCaps } from './send-caps';

const caps = (overrides: Parameters<typeof verifyConfigWith>[0] = {}) =>
  new SendCaps(new WindowLimits(null), verifyConfigWith(overrides));

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('SendCaps', () => {
  let errors: unknown[];

  beforeEach(() => {
    errors = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => {
      errors.push(message);
    });
  });

  afterEach(() => jest.restoreAllMocks());

  it.each([
    [
      'per number',
      { maxSendsPerNumberPerHour: 2 },
      (i: number) => ({ e164: '+447123000001', address: `10.0.0.${i}` }),
      2,
      'SEND_LIMIT_REACHED',
    ],
    [
      'per address',
      { maxSendsPerAddressPerHour: 3 },
      (i: number) => ({ e164: `+44712300000${i}`, address: '10.0.0.1' }),
      3,
      'SEND_LIMIT_REACHED',
    ],
    [
      'per IPv6 /64',
      { maxSendsPerAddressPerHour: 3 },
      (i: number) => ({ e164: `+44712300000${i}`, address: `2001:db8::${i + 1}` }),
      3,
      'SEND_LIMIT_REACHED',
    ],
    [
      'for the service',
      { sendBudgetPerHour: 4 },
      (i: number) => ({ e164: `+44712300000${i}`, address: `10.0.0.${i}` }),
      4,
      'VERIFY_BUDGET_EXHAUSTED',
    ],
  ])('caps sends %s, with a Retry-After of about an hour', async (_label, config, send, cap, code) => {
    const limits = caps(config);
    for (let i = 0; i < cap; i += 1) await limits.take({ ...send(i), testNumber: false });

    const error = await refusal(limits.take({ ...send(cap), testNumber: false }));
    expect(error.code).toBe(code);
    expect(error.options.retryAfterSeconds).toBeGreaterThan(3590);
    expect(error.options.retryAfterSeconds).toBeLessThanOrEqual(3600);
  });

  it('gives back what the other caps took when one refuses', async () => {
    const limits = caps({ maxSendsPerNumberPerHour: 1, maxSendsPerAddressPerHour: 2 });
    await limits.take({ e164: '+447123000001', address: '10.0.0.1', testNumber: false });
    // The number refuses: the address keeps its second slot.
    expect(
      (await refusal(limits.take({ e164: '+447123000001', address: '10.0.0.1', testNumber: false }))).code,
    ).toBe('SEND_LIMIT_REACHED');
    await limits.take({ e164: '+447123000002', address: '10.0.0.1', testNumber: false });
    await refusal(limits.take({ e164: '+447123000003', address: '10.0.0.1', testNumber: false }));
  });

  it('takes a slot back when the provider sent nothing', async () => {
    const limits = caps({ maxSendsPerNumberPerHour: 1 });
    const claim = await limits.take({ e164: '+447123000001', address: '10.0.0.1', testNumber: false });
    await claim.giveBack();
    await limits.take({ e164: '+447123000001', address: '10.0.0.2', testNumber: false });
  });

  it('turns each cap off with 0', async () => {
    const limits = caps({ maxSendsPerNumberPerHour: 0, maxSendsPerAddressPerHour: 0, sendBudgetPerHour: 0 });
    for (let i = 0; i < 50; i += 1)
      await limits.take({ e164: '+447123000001', address: '10.0.0.1', testNumber: false });
  });

  it('has no per-number cap for test numbers', async () => {
    const limits = caps({ maxSendsPerNumberPerHour: 1 });
    for (let i = 0; i < 3; i += 1)
      await limits.take({ e164: '+447700900123', address: `10.0.0.${i}`, testNumber: true });
  });

  it('logs one error-level alarm when the budget is exhausted, not one per refused send', async () => {
    const limits = caps({ sendBudgetPerHour: 1 });
    await limits.take({ e164: '+447123000001', address: '10.0.0.1', testNumber: false });
    await refusal(limits.take({ e164: '+447123000002', address: '10.0.0.2', testNumber: false }));
    await refusal(limits.take({ e164: '+447123000003', address: '10.0.0.3', testNumber: false }));
    expect(errors).toEqual([
      expect.objectContaining({ event: 'verification.budget_exhausted', budgetPerHour: 1 }),
    ]);
  });
});

describe('GuessCaps', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  const guesses = (overrides: Parameters<typeof verifyConfigWith>[0] = {}) =>
    new GuessCaps(new WindowLimits(null), verifyConfigWith(overrides));

  it('allows the attempts of one code per number, then refuses until the code cannot be alive', async () => {
    const caps = guesses({ maxCheckAttempts: 3 });
    await caps.coverNextCode('+447123000001');
    for (let i = 0; i < 3; i += 1) await caps.take('+447123000001');
    const error = await refusal(caps.take('+447123000001'));
    expect(error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(error.options.retryAfterSeconds).toBeGreaterThan(600);
    // Another number is not affected.
    await caps.take('+447123000002');
  });

  it('a guess given back (the code was right, or never judged) does not count', async () => {
    const caps = guesses({ maxCheckAttempts: 1 });
    const claim = await caps.take('+447123000001');
    await claim.giveBack();
    await caps.take('+447123000001');
  });

  it('caps the wrong codes per number per day across code windows', async () => {
    const caps = guesses({ maxCheckAttempts: 5, maxFailedChecksPerDay: 2 });
    await caps.take('+447123000001');
    await caps.take('+447123000001');
    const error = await refusal(caps.take('+447123000001'));
    expect(error.options.retryAfterSeconds).toBeGreaterThan(86_000);
  });
});
