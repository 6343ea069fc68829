import { FAILURE_RUN_MEMORY_SECONDS, lockoutSeconds, longestWait } from './login-lockout.policy';

describe('lockoutSeconds', () => {
  it.each([
    [900, 1, 900],
    [900, 2, 1800],
    [900, 3, 3600],
    [900, 10, 900 * 512],
    [1, 1, 1],
    [1, 4, 8],
    [900, 0, 900],
    [900, 60, FAILURE_RUN_MEMORY_SECONDS],
  ])('window %i s, lockout #%i lasts %i s', (window, lockout, expected) => {
    expect(lockoutSeconds(window, lockout)).toBe(expected);
  });
});

describe('longestWait', () => {
  it.each([
    [[3, 60], 60],
    [[0], 1],
    [[], 1],
    [[900, 12], 900],
  ])('%j waits %i s', (waits, expected) => {
    expect(longestWait(waits)).toBe(expected);
  });
});
