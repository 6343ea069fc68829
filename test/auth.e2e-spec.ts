import { DataSource } from 'typeorm';
import { User } from '../src/users/entities/user.entity';
import { UsersService } from '../src/users/users.service';
import { createTestApp, DATABASE_LABEL, registerUser, TestApp, uniqueEmail } from './utils/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PASSWORD = 'correct horse battery staple';

function expectAuthBody(body: Record<string, unknown>, email: string): void {
  expect(Object.keys(body).sort()).toEqual([
    'accessToken',
    'expiresIn',
    'refreshExpiresIn',
    'refreshToken',
    'tokenType',
    'user',
  ]);
  expect(body).toEqual({
    accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    tokenType: 'Bearer',
    expiresIn: 900,
    // 256 random bits, base64url.
    refreshToken: expect.stringMatching(/^[\w-]{43}$/),
    refreshExpiresIn: 2_592_000,
    user: {
      id: expect.stringMatching(UUID),
      email,
      phoneNumber: null,
      phoneCountryCode: null,
      phoneNationalNumber: null,
      phoneNumberConfirmed: false,
      phoneNumberConfirmedAt: null,
      createdAt: expect.stringMatching(ISO_UTC),
    },
  });
}

function expectValidationFailed(response: { status: number; body: Record<string, unknown> }): void {
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({
    statusCode: 400,
    error: 'Bad Request',
    code: 'VALIDATION_FAILED',
    message: expect.any(String),
  });
  expect(response.body.details).toEqual(
    expect.arrayContaining([{ field: expect.any(String), messages: expect.any(Array) }]),
  );
}

describe(`auth (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });

  afterAll(async () => {
    await testApp.close();
  });

  function passwordHashOf(email: string): Promise<string | undefined> {
    return testApp.app
      .get(DataSource)
      .getRepository(User)
      .findOne({ where: { email }, select: { id: true, passwordHash: true } })
      .then((user) => user?.passwordHash);
  }

  describe('POST /auth/register', () => {
    it('creates the account and answers a token and the user, never to be cached', async () => {
      const email = uniqueEmail('ada');
      const response = await testApp
        .http()
        .post('/auth/register')
        .send({ email: `  ${email.toUpperCase()}  `, password: PASSWORD });

      expect(response.status).toBe(201);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expectAuthBody(response.body, email);
    });

    it('stores an argon2id hash with its own salt and never returns it', async () => {
      const [firstEmail, secondEmail] = [uniqueEmail('salt'), uniqueEmail('salt')];
      const register = await testApp
        .http()
        .post('/auth/register')
        .send({ email: firstEmail, password: PASSWORD })
        .expect(201);
      await registerUser(testApp, { email: secondEmail, password: PASSWORD });
      const login = await testApp
        .http()
        .post('/auth/login')
        .send({ email: firstEmail, password: PASSWORD })
        .expect(200);

      const firstHash = (await passwordHashOf(firstEmail))!;
      const secondHash = (await passwordHashOf(secondEmail))!;
      expect(firstHash).toMatch(/^\$argon2id\$v=19\$[mtp=\d,]+\$[\w+/]+\$[\w+/]+$/);
      expect(secondHash).toMatch(/^\$argon2id\$/);
      expect(secondHash).not.toEqual(firstHash);
      // At least OWASP's parameters: 19 MiB, 2 iterations.
      const parameters = new URLSearchParams(firstHash.split('$')[3].replaceAll(',', '&'));
      expect(Number(parameters.get('m'))).toBeGreaterThanOrEqual(19 * 1024);
      expect(Number(parameters.get('t'))).toBeGreaterThanOrEqual(2);
      for (const response of [register, login]) {
        expect(response.text).not.toContain('argon2');
        expect(response.text).not.toMatch(/password/i);
        expect(response.text).not.toContain(PASSWORD);
      }
    });

    it('refuses an email that exists in another case with 409 EMAIL_TAKEN', async () => {
      const { email } = await registerUser(testApp);

      const response = await testApp
        .http()
        .post('/auth/register')
        .send({ email: email.toUpperCase(), password: PASSWORD });

      expect(response.status).toBe(409);
      expect(response.body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        code: 'EMAIL_TAKEN',
        message: expect.any(String),
      });
    });

    it('creates exactly one account when case variants of one email register at once', async () => {
      const email = uniqueEmail('race');
      const variants = [email, email.toUpperCase(), ` ${email}`, email.replace(/^r/, 'R'), `${email} `];

      const responses = await Promise.all(
        variants.map((variant) =>
          testApp.http().post('/auth/register').send({ email: variant, password: PASSWORD }),
        ),
      );

      expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409]);
      expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === 'EMAIL_TAKEN')).toBe(
        true,
      );
      await expect(testApp.app.get(DataSource).getRepository(User).countBy({ email })).resolves.toBe(1);
    });

    it.each([
      ['a missing email', { password: PASSWORD }, 'email'],
      ['an invalid email', { email: 'not-an-email', password: PASSWORD }, 'email'],
      [
        'an email with CR/LF',
        { email: 'ada@example.com\r\nBcc: eve@example.com', password: PASSWORD },
        'email',
      ],
      ['an email with LF before the domain', { email: 'ada\n@example.com', password: PASSWORD }, 'email'],
      ['a missing password', { email: 'missing-password@example.com' }, 'password'],
      ['a password of 7 characters', { email: 'short@example.com', password: '1234567' }, 'password'],
      ['a password of 129 characters', { email: 'long@example.com', password: 'p'.repeat(129) }, 'password'],
      ['an email that is a number', { email: 12345, password: PASSWORD }, 'email'],
      ['an email that is an array', { email: ['ada@example.com'], password: PASSWORD }, 'email'],
      ['an email that is an object', { email: { address: 'ada@example.com' }, password: PASSWORD }, 'email'],
      ['a password that is a number', { email: 'number@example.com', password: 12345678 }, 'password'],
      ['a password that is an array', { email: 'array@example.com', password: [PASSWORD] }, 'password'],
      ['an operator object', { email: { $ne: null }, password: PASSWORD }, 'email'],
      ['an unknown property', { email: 'admin@example.com', password: PASSWORD, role: 'admin' }, 'role'],
    ])('answers 400 VALIDATION_FAILED for %s', async (_case, body, field) => {
      const response = await testApp.http().post('/auth/register').send(body);

      expectValidationFailed(response);
      expect(response.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it.each([64, 128])('accepts a password of %i characters and signs in with it', async (length) => {
      const password = 'x'.repeat(length - 4) + 'Zz9!';
      const { email } = await registerUser(testApp, { password });

      const login = await testApp.http().post('/auth/login').send({ email, password });

      expect(login.status).toBe(200);
      const truncated = await testApp
        .http()
        .post('/auth/login')
        .send({ email, password: password.slice(0, -1) });
      expect(truncated.status).toBe(401);
    });

    it('takes any Unicode password, whichever way its accents are encoded', async () => {
      const password = 'pässwörd 🔑 日本語のパスワード';
      const { email } = await registerUser(testApp, { password });

      const login = await testApp.http().post('/auth/login').send({ email, password });
      const decomposed = await testApp
        .http()
        .post('/auth/login')
        .send({ email, password: password.normalize('NFD') });

      expect(login.status).toBe(200);
      expect(decomposed.status).toBe(200);
    });
  });

  describe('POST /auth/login', () => {
    it('signs in with the email in any case and answers the register body, never to be cached', async () => {
      const { email, user } = await registerUser(testApp, { password: PASSWORD });

      const response = await testApp
        .http()
        .post('/auth/login')
        .send({ email: ` ${email.toUpperCase()} `, password: PASSWORD });

      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expectAuthBody(response.body, email);
      expect(response.body.user).toEqual(user);
    });

    it('answers a wrong password and an unknown email with byte-identical 401 bodies', async () => {
      const { email } = await registerUser(testApp, { password: PASSWORD });

      const wrongPassword = await testApp
        .http()
        .post('/auth/login')
        .send({ email, password: 'wrong password!' });
      const unknownEmail = await testApp
        .http()
        .post('/auth/login')
        .send({ email: uniqueEmail('nobody'), password: PASSWORD });

      expect(wrongPassword.status).toBe(401);
      expect(unknownEmail.status).toBe(401);
      expect(wrongPassword.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'INVALID_CREDENTIALS',
        message: expect.any(String),
      });
      expect(unknownEmail.text).toBe(wrongPassword.text);
      expect(unknownEmail.headers['content-type']).toBe(wrongPassword.headers['content-type']);
    });

    it.each([
      ['an operator object as email', { email: { $ne: null }, password: PASSWORD }],
      ['an operator object as password', { email: 'ada@example.com', password: { $ne: null } }],
      ['an unknown property', { email: 'ada@example.com', password: PASSWORD, admin: true }],
      ['a password of 129 characters', { email: 'ada@example.com', password: 'p'.repeat(129) }],
    ])('answers 400 VALIDATION_FAILED for %s', async (_case, body) => {
      expectValidationFailed(await testApp.http().post('/auth/login').send(body));
    });
  });
});

describe(`login failure limit (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ env: { LOGIN_MAX_FAILURES: '3' } });
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('does not count logins the database could not judge as failures', async () => {
    const { email, password } = await registerUser(testApp);
    const users = testApp.app.get(UsersService);
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const lookup = jest.spyOn(users, 'findByEmailWithPasswordHash');
    for (let i = 0; i < 5; i++) lookup.mockRejectedValueOnce(outage);
    for (let i = 0; i < 5; i++) {
      const failed = await testApp.http().post('/auth/login').send({ email, password }).expect(503);
      expect(failed.body.code).toBe('SERVICE_UNAVAILABLE');
    }
    lookup.mockRestore();
    await testApp.http().post('/auth/login').send({ email, password }).expect(200);
  });

  it('counts parallel attempts before checking them: 20 at once evaluate at most the limit', async () => {
    const { email } = await registerUser(testApp);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        testApp.http().post('/auth/login').send({ email, password: 'wrong password' }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(17);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
  });

  it('answers 429 RATE_LIMITED after 3 failures for one email, in any case, even with the right password', async () => {
    const { email, password } = await registerUser(testApp);
    const other = await registerUser(testApp);
    const login = (body: object) => testApp.http().post('/auth/login').send(body);

    for (let attempt = 1; attempt <= 3; attempt++) {
      const response = await login({ email, password: `wrong-${attempt}-password` });
      expect(response.status).toBe(401);
    }

    for (const variant of [email.toUpperCase(), email]) {
      const limited = await login({ email: variant, password });
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        code: 'RATE_LIMITED',
        message: expect.any(String),
      });
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body).not.toHaveProperty('accessToken');
    }

    const otherLogin = await login({ email: other.email, password: other.password });
    expect(otherLogin.status).toBe(200);
  });
});

describe(`consecutive wrong passwords (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;

  beforeAll(async () => {
    // A one-second window keeps the waits short; 50 per window reaches 100 after one lockout.
    testApp = await createTestApp({ env: { LOGIN_MAX_FAILURES: '50', LOGIN_FAILURE_WINDOW_SECONDS: '1' } });
  });

  afterAll(async () => {
    await testApp.close();
  });

  const waitSeconds = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

  it('stops 120 wrong passwords, with every lockout waited out, before the 101st', async () => {
    const { email, password } = await registerUser(testApp);
    const login = (body: object) => testApp.http().post('/auth/login').send(body);
    let failures = 0;
    let refusals = 0;
    for (let attempt = 0; attempt < 120; attempt += 1) {
      const response = await login({ email, password: `wrong-${attempt}` });
      if (response.status === 401) {
        failures += 1;
        continue;
      }
      expect(response.status).toBe(429);
      refusals += 1;
      // A lockout is waited out, as a patient attacker would (each one doubles, from one second).
      const retryAfter = Number(response.headers['retry-after']);
      if (retryAfter <= 4) await waitSeconds(retryAfter);
    }

    // At most 50 fit in one window: 100 failures span several windows, each waited out.
    expect(failures).toBe(100);
    expect(refusals).toBe(20);
    // What stops it now is no lockout to wait out: even the right password is refused, long after.
    await waitSeconds(2.1);
    const refused = await login({ email, password }).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(86_400);
  });
});
