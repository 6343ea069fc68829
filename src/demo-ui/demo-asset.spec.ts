import { isDemoAssetRequest } from './demo-asset';

describe('isDemoAssetRequest', () => {
  it.each([
    ['GET', '/', true],
    ['GET', '/?x=1', true],
    ['HEAD', '/index.html', true],
    ['GET', '/main.js', true],
    ['GET', '/pages/confirm.js', true],
    ['GET', '/styles.css', true],
    ['GET', '/favicon.svg', true],
    ['GET', '/demo-settings.json', true],
    ['GET', '/users/me', false],
    ['GET', '/phone-verification/status', false],
    ['GET', '/docs', false],
    ['GET', '/docs-json', false],
    ['GET', '/health', false],
    ['GET', '/metrics', false],
    ['GET', '/.well-known/jwks.json', false],
    ['GET', '/../etc/passwd.js', false],
    ['POST', '/', false],
    ['POST', '/main.js', false],
  ])('%s %s: %s', (method, url, asset) => {
    expect(isDemoAssetRequest({ method, url })).toBe(asset);
  });
});
