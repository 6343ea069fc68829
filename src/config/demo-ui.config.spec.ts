import { demoUiConfig } from './demo-ui.config';

describe('demoUiConfig', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  function withEnv(env: Record<string, string | undefined>) {
    process.env = { ...saved };
    delete process.env.DEMO_UI;
    delete process.env.NODE_ENV;
    for (const [name, value] of Object.entries(env)) if (value !== undefined) process.env[name] = value;
    return demoUiConfig();
  }

  it.each([
    [{}, true],
    [{ NODE_ENV: 'development' }, true],
    [{ NODE_ENV: 'test' }, true],
    [{ NODE_ENV: 'production' }, false],
    [{ NODE_ENV: 'production', DEMO_UI: 'true' }, true],
    [{ NODE_ENV: 'development', DEMO_UI: 'false' }, false],
    [{ DEMO_UI: '' }, true],
  ])('%j serves the demo client: %s', (env, enabled) => {
    expect(withEnv(env)).toEqual({ enabled });
  });

  it.each(['yes', '1', 'TRUE'])('refuses DEMO_UI=%s naming the variable', (value) => {
    expect(() => withEnv({ DEMO_UI: value })).toThrow('Invalid configuration: DEMO_UI must be true or false');
  });
});
