import fc from 'fast-check';
import { createTestApp, registerUser, RegisteredUser, TestApp } from './utils/test-app';

// Bodies built from each DTO's own keys with values of any type, plus fully arbitrary JSON.
const anyValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 3 }),
  fc.constantFrom(
    '',
    ' ',
    '+447123456789',
    '07123 456789',
    'sms',
    'whatsapp',
    '123456',
    'a@b.co',
    '$ne',
    '\u0000',
  ),
);

function bodiesFor(keys: string[]) {
  return fc.oneof(
    fc.record(Object.fromEntries(keys.map((key) => [key, anyValue])), { requiredKeys: [] }),
    fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 12 })), anyValue, { maxKeys: 5 }),
    fc.jsonValue(),
  );
}

describe('property-based fuzzing of every request body', () => {
  let testApp: TestApp;
  let user: RegisteredUser;

  beforeAll(async () => {
    testApp = await createTestApp({ env: { LOGIN_MAX_FAILURES: '100' } });
    user = await registerUser(testApp);
  });

  afterAll(() => testApp.close());

  const routes: Array<{ name: string; method: 'post' | 'put'; path: string; keys: string[]; auth: boolean }> =
    [
      { name: 'register', method: 'post', path: '/auth/register', keys: ['email', 'password'], auth: false },
      { name: 'login', method: 'post', path: '/auth/login', keys: ['email', 'password'], auth: false },
      {
        name: 'set phone',
        method: 'put',
        path: '/users/me/phone',
        keys: ['phoneNumber', 'countryCode'],
        auth: true,
      },
      {
        name: 'start',
        method: 'post',
        path: '/phone-verification/start',
        keys: ['channel', 'locale', 'countryCode', 'phoneNumber'],
        auth: true,
      },
      { name: 'check', method: 'post', path: '/phone-verification/check', keys: ['code'], auth: true },
    ];

  it.each(routes)('never answers 5xx to $name, and always in the error shape', async (route) => {
    await fc.assert(
      fc.asyncProperty(bodiesFor(route.keys), async (body) => {
        let call = testApp.http()[route.method](route.path).set('Content-Type', 'application/json');
        if (route.auth) call = call.set('Authorization', `Bearer ${user.accessToken}`);
        const response = await call.send(JSON.stringify(body));
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.body).toEqual(
            expect.objectContaining({
              statusCode: response.status,
              code: expect.any(String),
              message: expect.any(String),
            }),
          );
        }
      }),
      { numRuns: 60 },
    );
  });
});
