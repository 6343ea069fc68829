import { DEFAULT_CORS_HEADERS, parseCorsHeaders, parseCorsOrigins } from './cors';

describe('parseCorsOrigins', () => {
  it.each<[string | undefined, string[]]>([
    [undefined, []],
    ['', []],
    ['https://app.example.com', ['https://app.example.com']],
    ['http://localhost:5173/', ['http://localhost:5173']],
    ['HTTPS://App.Example.com:443', ['https://app.example.com']],
    ['http://localhost:80', ['http://localhost']],
    ['http://[::1]:5173', ['http://[::1]:5173']],
    [
      ' http://localhost:5173 , https://app.example.com/ ',
      ['http://localhost:5173', 'https://app.example.com'],
    ],
    ['http://localhost:5173,http://localhost:5173/', ['http://localhost:5173']],
  ])('reads %p as %p', (value, origins) => {
    expect(parseCorsOrigins(value)).toEqual(origins);
  });

  it.each([
    ['a path', 'https://app.example.com/app'],
    ['a query', 'https://app.example.com/?x=1'],
    ['an empty query', 'https://app.example.com?'],
    ['a fragment', 'https://app.example.com/#top'],
    ['a wildcard', '*'],
    ['a bare host', 'app.example.com'],
    ['another scheme', 'ftp://app.example.com'],
    ['credentials', 'https://user:pw@app.example.com'],
    ['two slashes', 'http://localhost:5173//'],
  ])('refuses %s, naming CORS_ORIGINS and the entry', (_case, value) => {
    expect(() => parseCorsOrigins(value)).toThrow(/CORS_ORIGINS/);
    expect(() => parseCorsOrigins(value)).toThrow(value);
  });
});

describe('parseCorsHeaders', () => {
  it('allows the defaults when unset', () => {
    expect(parseCorsHeaders(undefined)).toEqual(DEFAULT_CORS_HEADERS);
  });

  it('adds the extra headers once, whatever their case', () => {
    expect(parseCorsHeaders('traceparent, tracestate,authorization')).toEqual([
      ...DEFAULT_CORS_HEADERS,
      'traceparent',
      'tracestate',
    ]);
  });

  it.each(['trace parent', 'x-a:b', 'traceparent;'])('refuses %p, naming CORS_ALLOWED_HEADERS', (value) => {
    expect(() => parseCorsHeaders(value)).toThrow(/CORS_ALLOWED_HEADERS/);
  });
});
