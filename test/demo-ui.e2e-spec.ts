import { createTestApp, DATABASE_LABEL, TestApp } from './utils/test-app';

// The page itself is tested in a browser (test/browser); here: what DEMO_UI switches and the settings file.
describe(`demo web client settings (${DATABASE_LABEL})`, () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('tells the client the allowed countries, the provider’s channels and the code length', async () => {
    app = await createTestApp({
      env: { DEMO_UI: 'true', VERIFY_ALLOWED_COUNTRIES: 'gb, US', VERIFY_CODE_LENGTH: '8' },
    });
    const response = await app.http().get('/demo-settings.json').expect(200);
    expect(response.body).toEqual({
      allowedCountries: ['GB', 'US'],
      channels: ['sms', 'call'],
      codeLength: 8,
    });
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('offers WhatsApp when the provider can send by it', async () => {
    app = await createTestApp({
      env: {
        DEMO_UI: 'true',
        VERIFY_PROVIDER: 'twilio-v2',
        TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
        TWILIO_AUTH_TOKEN: 'test-token',
        TWILIO_VERIFY_SERVICE_SID: 'VA00000000000000000000000000000000',
        TWILIO_VERIFY_V2_BASE_URL: 'http://127.0.0.1:9/v2/',
      },
    });
    const response = await app.http().get('/demo-settings.json').expect(200);
    expect(response.body).toMatchObject({ allowedCountries: [], channels: ['sms', 'call', 'whatsapp'] });
  });

  it('serves neither the page nor its settings with DEMO_UI=false', async () => {
    app = await createTestApp({ env: { DEMO_UI: 'false' } });
    for (const path of ['/', '/index.html', '/main.js', '/demo-settings.json']) {
      const response = await app.http().get(path).expect(404);
      expect(response.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    }
  });

  it('keeps the settings file out of the API document', async () => {
    app = await createTestApp({ env: { DEMO_UI: 'true' } });
    const document = (await app.http().get('/docs-json').expect(200)).body as { paths: object };
    expect(Object.keys(document.paths)).not.toContain('/demo-settings.json');
  });
});
