import { pathOnly } from './logger.options';

describe('pathOnly', () => {
  it.each([
    ['/users/me', '/users/me'],
    ['/users/me?access_token=secret', '/users/me'],
    ['/users/me?', '/users/me'],
    ['/?a=1&b=2', '/'],
    ['/users/me#fragment', '/users/me'],
    ['/users/me?x=1#y', '/users/me'],
    ['/a%3Fb', '/a%3Fb'], // an encoded question mark belongs to the path
    ['', ''],
  ])('%j: %j', (url, path) => {
    expect(pathOnly(url)).toBe(path);
  });
});
