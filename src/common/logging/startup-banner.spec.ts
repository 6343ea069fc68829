import { baseUrl, startupBanner, withoutCredentials } from './startup-banner';

describe('baseUrl', () => {
  it.each<[string, number, string]>([
    ['0.0.0.0', 3000, 'http://localhost:3000'],
    ['::', 3000, 'http://localhost:3000'],
    ['127.0.0.1', 8080, 'http://127.0.0.1:8080'],
    ['::1', 3000, 'http://[::1]:3000'],
    ['identity.internal', 3000, 'http://identity.internal:3000'],
  ])('%s:%d is opened as %s', (host, port, url) => {
    expect(baseUrl(host, port)).toBe(url);
  });
});

describe('withoutCredentials', () => {
  it.each([
    ['postgres://identity:s3cret@db.internal:5432/identity', 'postgres://db.internal:5432/identity'],
    ['postgresql://identity@db.internal/identity', 'postgresql://db.internal/identity'],
    ['redis://:s3cret@cache:6379', 'redis://cache:6379'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
  ])('%s is shown as %s', (url, shown) => {
    expect(withoutCredentials(url)).toBe(shown);
  });
});

describe('startupBanner', () => {
  const facts = {
    host: '0.0.0.0',
    port: 3000,
    provider: 'log',
    database: { type: 'sqlite' as const, file: 'data/identity.sqlite' },
    demoUi: true,
  };

  it('lists the demo, the API, the docs, the provider and where codes appear, and the database', () => {
    const { lines, message } = startupBanner(facts);
    const text = lines.join('\n');

    expect(message).toBe('listening on port 3000: http://localhost:3000/');
    expect(text).toContain('Demo      http://localhost:3000/');
    expect(text).toContain('API       http://localhost:3000');
    expect(text).toContain('http://localhost:3000/docs');
    expect(text).toMatch(/Provider +log .*written to this log.*"verification code for/);
    expect(text).toContain('Database  sqlite:data/identity.sqlite');
    expect(text).not.toContain('Redis');
  });

  it('never shows database or Redis credentials', () => {
    const { lines, fields } = startupBanner({
      ...facts,
      provider: 'twilio-v2',
      database: { type: 'postgres', url: 'postgres://identity:pg-s3cret@db:5432/identity' },
      redisUrl: 'redis://default:redis-s3cret@cache:6379',
      demoUi: false,
    });
    const shown = JSON.stringify({ lines, fields });

    expect(shown).toContain('postgres://db:5432/identity');
    expect(shown).toContain('redis://cache:6379');
    expect(shown).not.toMatch(/s3cret|identity:|default:/);
    expect(shown).not.toContain('Demo');
    expect(fields.codes).toBeUndefined();
  });
});
