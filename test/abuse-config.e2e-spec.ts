import { createTestApp, removeSqliteFile, tempSqliteFile } from './utils/test-app';

describe('configuration of the pumping guard, VoIP numbers and /metrics at start-up', () => {
  // SQLite in both runs: a start-up that fails leaves behind the connections Nest opened before the error,
  // and a PostgreSQL pool would keep jest alive; a SQLite handle does not.
  const sqliteFile = tempSqliteFile();
  const start = (env: Record<string, string>) =>
    createTestApp({ env: { DATABASE_URL: `sqlite:${sqliteFile}`, ...env } });

  afterAll(() => removeSqliteFile(sqliteFile));

  it.each([
    ['VERIFY_PUMPING_GUARD', 'panic'],
    ['VERIFY_PUMPING_MIN_SENDS', '0'],
    ['VERIFY_PUMPING_MIN_SENDS', 'many'],
    ['VERIFY_PUMPING_MIN_CONVERSION', '1.5'],
    ['VERIFY_PUMPING_MIN_CONVERSION', '-0.1'],
    ['VERIFY_PUMPING_MIN_CONVERSION', 'half'],
    ['VERIFY_ALLOW_VOIP', 'yes'],
    ['METRICS_TOKEN', 'short'],
    ['METRICS_TOKEN', 'has spaces in the middle of it'],
    ['METRICS_TOKEN', 'x'.repeat(257)],
  ])('refuses %s=%j with one line naming the variable, not its value', async (name, value) => {
    const error = await start({ [name]: value }).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(Error);
    const { message } = error as Error;
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${name} `));
    expect(message).not.toContain('\n');
    expect(message).not.toContain(value);
  });

  it('starts with every one of them set to a valid value', async () => {
    const testApp = await start({
      VERIFY_PUMPING_GUARD: 'block',
      VERIFY_PUMPING_MIN_SENDS: '50',
      VERIFY_PUMPING_MIN_CONVERSION: '0.35',
      VERIFY_ALLOW_VOIP: 'true',
      METRICS_TOKEN: 'a-metrics-token-of-32-characters',
    });
    await testApp.close();
  });
});
