import { AppError } from '../common/app-error';
import { canonicalJson, parseIdempotencyKey, requestHash } from './idempotency-key';

describe('parseIdempotencyKey', () => {
  it.each([
    ['a UUID', '9f1c2a4e-6f0b-4c1d-8e2a-1b2c3d4e5f60', true],
    ['one character', 'a', true],
    ['255 characters', 'k'.repeat(255), true],
    ['visible punctuation', '!~#$%&()*+,-./:;<=>?@[]^_`{|}', true],
    ['empty', '', false],
    ['256 characters', 'k'.repeat(256), false],
    ['a space', 'two words', false],
    ['a tab', 'a\tb', false],
    ['non-ASCII', 'clé', false],
    ['a control character', 'a\u0001b', false],
    ['sent twice', ['a', 'b'], false],
  ])('%s: accepted %s', (_label, value, accepted) => {
    if (accepted) {
      expect(parseIdempotencyKey(value)).toBe(value);
      return;
    }
    let thrown: unknown;
    try {
      parseIdempotencyKey(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe('VALIDATION_FAILED');
  });

  it('is undefined when the header was not sent', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });
});

describe('requestHash', () => {
  it.each([
    [{ channel: 'sms', locale: 'en' }, { locale: 'en', channel: 'sms' }, true],
    [{}, { channel: undefined }, true],
    [{ phoneNumber: '+447123456789' }, { phoneNumber: '+447123456788' }, false],
    [{ countryCode: 44 }, { countryCode: '44' }, false],
    [{ a: [1, { c: 2, b: 1 }] }, { a: [1, { b: 1, c: 2 }] }, true],
  ])('%j and %j are the same request: %s', (first, second, same) => {
    expect(requestHash(first) === requestHash(second)).toBe(same);
  });

  it('writes objects with sorted keys', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'] })).toBe('{"a":[true,null,"x"],"b":1}');
  });
});
