import { codeWindowSeconds, PROVIDER_CODE_LIFETIME_SECONDS } from './guess-caps.policy';
import { sendCapClaims } from './send-caps.policy';

describe('sendCapClaims', () => {
  it.each([
    [false, ['number', 'address', 'budget']],
    [true, ['address', 'budget']],
  ])('test number %s takes %j', (testNumber, expected) => {
    expect(sendCapClaims({ testNumber })).toEqual(expected);
  });
});

describe('codeWindowSeconds', () => {
  it.each([
    [600, 5000, 605],
    [300, 5000, 605],
    [30, 100, 601],
    [600, 60000, 660],
  ])('code TTL %d s, provider timeout %d ms: %d s', (ttl, timeoutMs, expected) => {
    expect(codeWindowSeconds(ttl, timeoutMs)).toBe(expected);
    expect(codeWindowSeconds(ttl, timeoutMs)).toBeGreaterThan(PROVIDER_CODE_LIFETIME_SECONDS);
  });
});
