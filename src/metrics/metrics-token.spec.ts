import { bearerTokenMatches } from './metrics-token';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('bearerTokenMatches', () => {
  it.each<[string | undefined, boolean]>([
    [`Bearer ${TOKEN}`, true],
    [`bearer ${TOKEN}`, true], // the scheme is case-insensitive (RFC 9110)
    [`Bearer  ${TOKEN} `, true],
    [undefined, false],
    ['', false],
    ['Bearer', false],
    ['Bearer ', false],
    [TOKEN, false], // no scheme
    [`Basic ${TOKEN}`, false],
    [`Bearer ${TOKEN.toUpperCase()}`, false],
    [`Bearer ${TOKEN.slice(0, -1)}`, false],
    [`Bearer ${TOKEN}x`, false],
    [`Bearer ${TOKEN} extra`, false],
  ])('%j: %s', (header, expected) => {
    expect(bearerTokenMatches(header, TOKEN)).toBe(expected);
  });
});
