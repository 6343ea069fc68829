import { randomBytes } from 'node:crypto';
import { createTestApp, DATABASE_LABEL, TestApp } from './utils/test-app';

const PASSWORD = 'correct horse battery staple';

describe(`emails in one canonical form (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });

  afterAll(async () => {
    await testApp.close();
  });

  const register = (email: string) =>
    testApp.http().post('/auth/register').send({ email, password: PASSWORD });
  const login = (email: string) => testApp.http().post('/auth/login').send({ email, password: PASSWORD });

  /** One address written five ways that look alike: case, NFC/NFD, Unicode and ASCII (IDNA) domain. */
  function lookAlikes(): { canonical: string; spellings: string[] } {
    const tag = randomBytes(4).toString('hex');
    return {
      canonical: `josé.${tag}@xn--exmple-cua.com`,
      spellings: [
        `José.${tag}@Exämple.com`,
        `jose\u0301.${tag}@exa\u0308mple.com`,
        `JOSÉ.${tag}@xn--exmple-cua.com`,
        ` josé.${tag}@EXÄMPLE.COM `,
        `josé.${tag}@xn--EXMPLE-cua.com`,
      ],
    };
  }

  it('stores the canonical form and refuses every look-alike as EMAIL_TAKEN', async () => {
    const { canonical, spellings } = lookAlikes();
    const [first, ...others] = spellings;

    const created = await register(first);
    expect(created.status).toBe(201);
    expect(created.body.user.email).toBe(canonical);

    for (const spelling of others) {
      const taken = await register(spelling);
      expect(taken.status).toBe(409);
      expect(taken.body).toMatchObject({ code: 'EMAIL_TAKEN' });
    }
  });

  it('signs in to the one account with any of the spellings', async () => {
    const { spellings } = lookAlikes();
    const { body } = await register(spellings[1]).expect(201);

    for (const spelling of spellings) {
      const response = await login(spelling);
      expect(response.status).toBe(200);
      expect(response.body.user.id).toBe(body.user.id);
    }
  });

  it('creates one account when look-alikes register at the same moment', async () => {
    const { spellings } = lookAlikes();

    const responses = await Promise.all(spellings.map((spelling) => register(spelling)));

    expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });

  it.each<[string, string]>([
    ['a zero-width space', 'ada\u200b@example.com'],
    ['a zero-width joiner', 'ad\u200da@example.com'],
    ['a right-to-left override', 'ada\u202e@example.com'],
    ['a bidi isolate in the domain', 'ada@exam\u2067ple.com'],
    ['a soft hyphen', 'a\u00adda@example.com'],
    ['full-width letters', 'ａｄａ@example.com'],
  ])('answers 400 VALIDATION_FAILED to an email with %s, at register and login', async (_case, email) => {
    for (const response of [await register(email), await login(email)]) {
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: 'email', messages: expect.any(Array) }],
      });
    }
  });
});
