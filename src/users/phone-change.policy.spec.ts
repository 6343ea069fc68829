import { needsRecentAuthentication } from './phone-change.policy';

const NUMBER = '+447123456789';
const OTHER = '+447700900123';

describe('needsRecentAuthentication', () => {
  it.each<[string, { phoneE164: string | null; phoneConfirmed: boolean }, string | null, boolean]>([
    ['storing a first number', { phoneE164: null, phoneConfirmed: false }, NUMBER, false],
    ['replacing an unconfirmed number', { phoneE164: NUMBER, phoneConfirmed: false }, OTHER, false],
    ['removing an unconfirmed number', { phoneE164: NUMBER, phoneConfirmed: false }, null, false],
    ['setting the confirmed number again', { phoneE164: NUMBER, phoneConfirmed: true }, NUMBER, false],
    ['replacing a confirmed number', { phoneE164: NUMBER, phoneConfirmed: true }, OTHER, true],
    ['removing a confirmed number', { phoneE164: NUMBER, phoneConfirmed: true }, null, true],
  ])('%s: %s', (_label, current, next, expected) => {
    expect(needsRecentAuthentication(current, next)).toBe(expected);
  });
});
