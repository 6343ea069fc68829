import { ERROR_STATUS } from '../../src/common/error-codes';
import { errorSentence, KNOWN_ERROR_CODES, NETWORK_ERROR, waitPhrase } from './messages';

// Every error code the service's contract names, including those of routes other helpers may add later.
const CONTRACT_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
  'EMAIL_TAKEN',
  'INVALID_CREDENTIALS',
  'INVALID_REFRESH_TOKEN',
  'REAUTHENTICATION_REQUIRED',
  'INVALID_PHONE_NUMBER',
  'COUNTRY_NOT_ALLOWED',
  'PHONE_NUMBER_REQUIRED',
  'CHANNEL_NOT_SUPPORTED',
  'DESTINATION_BLOCKED',
  'PHONE_ALREADY_CONFIRMED',
  'PHONE_NUMBER_TAKEN',
  'RESEND_TOO_SOON',
  'SEND_LIMIT_REACHED',
  'VERIFY_BUDGET_EXHAUSTED',
  'IDEMPOTENCY_KEY_REUSED',
  'INVALID_CODE',
  'NO_PENDING_VERIFICATION',
  'VERIFICATION_EXPIRED',
  'TOO_MANY_ATTEMPTS',
  'VERIFY_PROVIDER_ERROR',
  'VERIFY_PROVIDER_TIMEOUT',
];

describe('errorSentence', () => {
  it.each([...new Set([...CONTRACT_CODES, ...Object.keys(ERROR_STATUS), NETWORK_ERROR])])(
    '%s has a sentence of its own',
    (code) => {
      expect(KNOWN_ERROR_CODES).toContain(code);
      const sentence = errorSentence({ code });
      expect(sentence).toMatch(/^[A-Z].*[.]$/);
      expect(sentence).not.toContain('_');
    },
  );

  it.each([
    [{ code: 'INVALID_CODE', attemptsRemaining: 4 }, 'That code is not right. You have 4 attempts left.'],
    [{ code: 'INVALID_CODE', attemptsRemaining: 1 }, 'That code is not right. You have 1 attempt left.'],
    [
      { code: 'INVALID_CODE', attemptsRemaining: 0 },
      'That code is not right, and that was the last attempt. Ask for a new code.',
    ],
    [{ code: 'INVALID_CODE' }, 'That code is not right. Check it and try again.'],
    [
      { code: 'RESEND_TOO_SOON', retryAfterSeconds: 12 },
      'A code was sent a moment ago. You can ask for a new one in 12 seconds.',
    ],
    [
      { code: 'SEND_LIMIT_REACHED', retryAfterSeconds: 1800 },
      'Too many codes were sent to this number. You can try again in 30 minutes.',
    ],
    [{ code: 'RATE_LIMITED' }, 'Too many attempts. Please try again later.'],
    [
      { code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: 7200 },
      'Too many wrong codes. You can try again in 2 hours.',
    ],
    [{ code: 'SOMETHING_NEW', status: 502 }, 'Something went wrong on our side. Please try again.'],
    [{ code: 'SOMETHING_NEW', status: 400 }, 'Something went wrong. Please try again.'],
  ])('%j reads "%s"', (facts, sentence) => {
    expect(errorSentence(facts)).toBe(sentence);
  });
});

describe('waitPhrase', () => {
  it.each([
    [0.2, 'in 1 second'],
    [1, 'in 1 second'],
    [59, 'in 59 seconds'],
    [60, 'in 1 minute'],
    [61, 'in 2 minutes'],
    [3599, 'in 60 minutes'],
    [3600, 'in 1 hour'],
    [86_400, 'in 24 hours'],
  ])('%s s is "%s"', (seconds, phrase) => {
    expect(waitPhrase(seconds)).toBe(phrase);
  });
});
