import { defaultLogFormat } from './app.config';

describe('defaultLogFormat', () => {
  it.each<[string, boolean, string]>([
    ['development', true, 'pretty'],
    ['test', true, 'pretty'],
    ['development', false, 'json'],
    ['production', true, 'json'],
    ['production', false, 'json'],
  ])('NODE_ENV=%s, stdout a terminal: %p -> %s', (nodeEnv, terminal, format) => {
    expect(defaultLogFormat(nodeEnv, terminal)).toBe(format);
  });
});
