import { VerificationProviderError } from '../providers/verification-provider.interface';
import { providerFailureError, providerMayHaveActed } from './provider-failure';

describe('providerMayHaveActed', () => {
  it.each([
    ['a timeout', new VerificationProviderError('timeout'), true],
    ['a connection lost without an answer', new VerificationProviderError('provider_error'), true],
    ['a reset', new VerificationProviderError('provider_error', { upstreamCode: 'ECONNRESET' }), true],
    [
      'a refused connection',
      new VerificationProviderError('provider_error', { upstreamCode: 'ECONNREFUSED' }),
      false,
    ],
    ['an upstream 500', new VerificationProviderError('provider_error', { upstreamStatus: 500 }), false],
    ['a refusal', new VerificationProviderError('invalid_number', { upstreamStatus: 400 }), false],
    ['not a provider error', new Error('boom'), false],
  ])('%s: %s', (_label, error, expected) => {
    expect(providerMayHaveActed(error)).toBe(expected);
  });
});

describe('providerFailureError', () => {
  it.each([
    ['invalid_number', {}, 'INVALID_PHONE_NUMBER', undefined],
    ['destination_blocked', {}, 'DESTINATION_BLOCKED', undefined],
    ['rate_limited', {}, 'RATE_LIMITED', 60],
    ['rate_limited', { retryAfterSeconds: 7 }, 'RATE_LIMITED', 7],
    ['send_limit', {}, 'SEND_LIMIT_REACHED', 600],
    ['too_many_attempts', {}, 'TOO_MANY_ATTEMPTS', 600],
    ['timeout', {}, 'VERIFY_PROVIDER_TIMEOUT', undefined],
    ['provider_error', {}, 'VERIFY_PROVIDER_ERROR', undefined],
  ] as const)('%s %j → %s, Retry-After %s', (failure, detail, code, retryAfter) => {
    const error = providerFailureError(new VerificationProviderError(failure, detail), 600);
    expect(error.code).toBe(code);
    expect(error.options.retryAfterSeconds).toBe(retryAfter);
  });
});
