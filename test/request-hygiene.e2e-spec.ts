import { randomBytes } from 'node:crypto';
import { UsersService } from '../src/users/users.service';
import { LogCapture } from './utils/log-capture';
import { createTestApp, DATABASE_LABEL, registerUser, TestApp } from './utils/test-app';
import { twilioV1Provider, uniqueMobile } from './utils/verification-providers';

const PASSWORD = 'correct horse battery staple';

function expectError(
  response: { status: number; body: Record<string, unknown> },
  status: number,
  code: string,
) {
  expect(response.status).toBe(status);
  expect(response.body).toMatchObject({ statusCode: status, error: expect.any(String), code });
}

// A failure that reaches the error log (500), as a broken query would.
class FailingUsersService extends UsersService {
  override findByEmailWithPasswordHash(): never {
    throw new Error('the database failed');
  }
}

describe(`JSON bodies must be UTF-8 (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });

  afterAll(async () => {
    await testApp.close();
  });

  // superagent would serialize a Buffer as JSON ({"type":"Buffer",...}): the bytes go out as they are.
  const postRaw = (path: string, raw: Buffer, contentType = 'application/json') =>
    testApp
      .http()
      .post(path)
      .set('Content-Type', contentType)
      .serialize((body: Buffer) => body as unknown as string)
      .send(raw);

  it.each([
    ['a malformed sequence', [0xc3, 0x28]],
    ['a byte that never occurs in UTF-8', [0xff]],
    ['a lone continuation byte', [0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate (CESU-8)', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('answers 400 VALIDATION_FAILED to %s, never decoding it to U+FFFD', async (_case, bytes) => {
    const local = `utf8-${randomBytes(4).toString('hex')}`;
    const raw = Buffer.concat([
      Buffer.from(`{"email":"${local}`),
      Buffer.from(bytes),
      Buffer.from(`@example.com","password":"${PASSWORD}"}`),
    ]);

    for (const contentType of ['application/json', 'application/json; charset=utf-8']) {
      const response = await postRaw('/auth/register', raw, contentType);

      expectError(response, 400, 'VALIDATION_FAILED');
      expect(response.body.message).toBe('Request body is not valid UTF-8');
    }
    // Nothing was stored under the replacement character: that email is unknown.
    const login = await postRaw(
      '/auth/login',
      Buffer.from(JSON.stringify({ email: `${local}\ufffd@example.com`, password: PASSWORD })),
    );
    expectError(login, 401, 'INVALID_CREDENTIALS');
  });

  it('accepts valid multi-byte UTF-8', async () => {
    const password = 'pässwörd-🔑-ñandú';
    const email = `utf8-ok-${randomBytes(4).toString('hex')}@example.com`;

    expect((await postRaw('/auth/register', Buffer.from(JSON.stringify({ email, password })))).status).toBe(
      201,
    );
    expect((await postRaw('/auth/login', Buffer.from(JSON.stringify({ email, password })))).status).toBe(200);
  });

  it.each(['utf-16le', 'iso-8859-1'])('answers 415 to a body declared as charset=%s', async (charset) => {
    const body = Buffer.from(JSON.stringify({ email: 'ada@example.com', password: PASSWORD }), 'latin1');

    const response = await postRaw('/auth/login', body, `application/json; charset=${charset}`);

    expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe(`a URL's query string never reaches a log (${DATABASE_LABEL})`, () => {
  const SENTINEL = `query-sentinel-${randomBytes(8).toString('hex')}`;
  const query = `?access_token=${SENTINEL}&code=${SENTINEL}`;

  it('leaves it out of request lines, warnings and error logs, whatever the answer', async () => {
    const provider = await twilioV1Provider();
    const logs = new LogCapture();
    const testApp = await createTestApp({ env: provider.env(), override: logs.override });
    try {
      const account = await registerUser(testApp);
      const auth = { Authorization: `Bearer ${account.accessToken}` };
      const http = testApp.http;

      await http().get(`/health/live${query}`).expect(200);
      await http().get(`/users/me${query}`).expect(401);
      await http().get(`/users/me${query}`).set(auth).expect(200);
      await http().get(`/no/such/route${query}`).expect(404);
      await http()
        .post(`/auth/login${query}`)
        .set('Content-Type', 'application/json')
        .send('{"email":')
        .expect(400);
      await http()
        .post(`/phone-verification/start${query}`)
        .set(auth)
        .send({ phoneNumber: uniqueMobile().e164 })
        .expect(202);
      provider.fake.failNext('hang');
      await http().post(`/phone-verification/check${query}`).set(auth).send({ code: '123456' }).expect(504);
      await http().get(`/metrics${query}`).expect(200);

      const requestLines = logs.lines.filter((line) => line.req !== undefined);
      expect(requestLines.length).toBeGreaterThanOrEqual(7);
      expect(requestLines.map((line) => (line.req as { url: string }).url)).toEqual(
        expect.arrayContaining(['/health/live', '/users/me', '/no/such/route', '/phone-verification/check']),
      );
      expect(logs.text).not.toContain(SENTINEL);
      expect(logs.text).not.toContain('access_token');
    } finally {
      await testApp.close();
      await provider.close();
    }
  });

  it('leaves it out of the log of a 500', async () => {
    const logs = new LogCapture();
    const testApp = await createTestApp({
      override: (builder) =>
        logs.override(builder).overrideProvider(UsersService).useClass(FailingUsersService),
    });
    try {
      const response = await testApp
        .http()
        .post(`/auth/login${query}`)
        .send({ email: 'ada@example.com', password: PASSWORD });

      expectError(response, 500, 'INTERNAL_ERROR');
      expect(logs.lines.some((line) => line.level === 50)).toBe(true);
      expect(logs.text).toContain('/auth/login');
      expect(logs.text).not.toContain(SENTINEL);
    } finally {
      await testApp.close();
    }
  });
});
