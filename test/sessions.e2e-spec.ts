import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RefreshToken } from '../src/auth/entities/refresh-token.entity';
import { Session } from '../src/auth/entities/session.entity';
import { SessionsRepository } from '../src/auth/sessions.repository';
import { PreparedSql } from '../src/database/prepared-sql';
import { ExpiredRecordsSweeper } from '../src/retention/expired-records.sweeper';
import {
  claimsOf,
  createTestApp,
  DATABASE_LABEL,
  E2E_DATABASE_URL,
  registerUser,
  RegisteredUser,
  removeSqliteFile,
  tempSqliteFile,
  TestApp,
  TokenPairBody,
} from './utils/test-app';
import { uniqueMobile } from './utils/verification-providers';

const REFRESH_TOKEN = /^[\w-]{43}$/;

describe(`sessions (${DATABASE_LABEL})`, () => {
  let testApp: TestApp;

  beforeAll(async () => {
    // A short reuse interval keeps the wait below for "after the interval" to about a second.
    testApp = await createTestApp({
      env: { REFRESH_TOKEN_REUSE_INTERVAL_SECONDS: '1', LOGIN_MAX_FAILURES: '3' },
    });
  });

  afterAll(async () => {
    await testApp.close();
  });

  const me = (token: string) => testApp.http().get('/users/me').set('Authorization', `Bearer ${token}`);
  const refresh = (refreshToken: unknown) => testApp.http().post('/auth/refresh').send({ refreshToken });
  const login = (user: RegisteredUser, password = user.password) =>
    testApp.http().post('/auth/login').send({ email: user.email, password });
  const logout = (token: string, body?: object) => {
    const call = testApp.http().post('/auth/logout').set('Authorization', `Bearer ${token}`);
    return body === undefined ? call : call.send(body);
  };

  /** Waits until the clock is past the reuse interval of a token spent now (1 s in this app). */
  const pastReuseInterval = () => new Promise((resolve) => setTimeout(resolve, 1100));

  function expectInvalidRefreshToken(response: { status: number; body: unknown }) {
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'INVALID_REFRESH_TOKEN',
      message: expect.any(String),
    });
  }

  describe('POST /auth/refresh', () => {
    it('answers a new pair for the same session, not to be cached, and spends the old refresh token', async () => {
      const ada = await registerUser(testApp);

      const response = await refresh(ada.refreshToken);

      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.body as TokenPairBody;
      expect(body).toEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshToken: expect.stringMatching(REFRESH_TOKEN),
        refreshExpiresIn: 2_592_000,
        user: ada.user,
      });
      expect(body.refreshToken).not.toBe(ada.refreshToken);
      expect(claimsOf(body.accessToken)).toMatchObject({
        sub: ada.user.id,
        sid: ada.sessionId,
        auth_time: claimsOf(ada.accessToken).auth_time,
      });
      expect((await me(body.accessToken)).status).toBe(200);
      expect((await refresh(body.refreshToken)).status).toBe(200);
    });

    it('re-reads the claims: a number stored since shows in the refreshed token', async () => {
      const phone = uniqueMobile();
      const ada = await registerUser(testApp);
      await testApp
        .http()
        .put('/users/me/phone')
        .set('Authorization', `Bearer ${ada.accessToken}`)
        .send({ phoneNumber: phone.e164 })
        .expect(200);

      const body = (await refresh(ada.refreshToken)).body as TokenPairBody;

      expect(claimsOf(body.accessToken)).toMatchObject({
        phone_number: phone.e164,
        phone_number_verified: false,
      });
      expect(claimsOf(ada.accessToken)).not.toHaveProperty('phone_number');
    });

    it('serves two tabs refreshing with the same token at the same moment, in the same session', async () => {
      const ada = await registerUser(testApp);

      const [tabA, tabB] = await Promise.all([refresh(ada.refreshToken), refresh(ada.refreshToken)]);

      expect([tabA.status, tabB.status]).toEqual([200, 200]);
      const [a, b] = [tabA.body as TokenPairBody, tabB.body as TokenPairBody];
      expect(claimsOf(a.accessToken).sid).toBe(ada.sessionId);
      expect(claimsOf(b.accessToken).sid).toBe(ada.sessionId);
      expect(a.refreshToken).not.toBe(b.refreshToken);
      expect((await refresh(a.refreshToken)).status).toBe(200);
      expect((await refresh(b.refreshToken)).status).toBe(200);
    });

    it('treats a spent token presented after the reuse interval as stolen: the whole session ends', async () => {
      const ada = await registerUser(testApp);
      const other = (await login(ada)).body as TokenPairBody;
      const rotated = (await refresh(ada.refreshToken)).body as TokenPairBody;
      await pastReuseInterval();

      expectInvalidRefreshToken(await refresh(ada.refreshToken));

      // Every token of the session is dead, the legitimate holder's too; the user's other session lives on.
      expectInvalidRefreshToken(await refresh(rotated.refreshToken));
      expect((await me(rotated.accessToken)).status).toBe(401);
      expect((await me(ada.accessToken)).status).toBe(401);
      expect((await me(other.accessToken)).status).toBe(200);
      expect((await refresh(other.refreshToken)).status).toBe(200);
    });

    it.each<[string, unknown]>([
      ['an unknown token', randomBytes(32).toString('base64url')],
      ['an empty string', ''],
      ['an access token', 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln'],
    ])('answers 401 INVALID_REFRESH_TOKEN for %s', async (_case, token) => {
      const response = await refresh(token);
      if (token === '') expect(response.status).toBe(400);
      else expectInvalidRefreshToken(response);
    });

    it.each<[string, object]>([
      ['no body', {}],
      ['a number', { refreshToken: 42 }],
      ['an object', { refreshToken: { $ne: null } }],
      ['an unknown property', { refreshToken: 'x', sessionId: 'y' }],
    ])('answers 400 VALIDATION_FAILED for %s', async (_case, body) => {
      const response = await testApp.http().post('/auth/refresh').send(body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  describe('POST /auth/logout', () => {
    it('ends the session: its access token is refused at once and its refresh token no longer works', async () => {
      const ada = await registerUser(testApp);
      const otherDevice = (await login(ada)).body as TokenPairBody;

      const response = await logout(ada.accessToken);

      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      const refused = await me(ada.accessToken);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
      expectInvalidRefreshToken(await refresh(ada.refreshToken));
      expect((await me(otherDevice.accessToken)).status).toBe(200);
      // Logging out again with the dead token is refused like any dead token.
      expect((await logout(ada.accessToken)).status).toBe(401);
    });

    it("ends every session of the user with allSessions, and no one else's", async () => {
      const ada = await registerUser(testApp);
      const bob = await registerUser(testApp);
      const otherDevice = (await login(ada)).body as TokenPairBody;

      expect((await logout(ada.accessToken, { allSessions: true })).status).toBe(204);

      expect((await me(otherDevice.accessToken)).status).toBe(401);
      expectInvalidRefreshToken(await refresh(otherDevice.refreshToken));
      expect((await me(bob.accessToken)).status).toBe(200);
    });

    it('needs an access token and a well-formed body', async () => {
      expect((await testApp.http().post('/auth/logout')).status).toBe(401);
      const ada = await registerUser(testApp);
      const response = await logout(ada.accessToken, { allSessions: 'yes' });
      expect(response.status).toBe(400);
      expect((await me(ada.accessToken)).status).toBe(200);
    });
  });

  describe('many requests at once', () => {
    it('answers each with the user of its own token, and refuses the ended session among them', async () => {
      const [ada, bob, cy, dee] = await Promise.all([1, 2, 3, 4].map(() => registerUser(testApp)));
      const adaOnAnotherDevice = (await login(ada)).body as TokenPairBody;
      expect((await logout(dee.accessToken)).status).toBe(204);
      const callers = [
        { token: ada.accessToken, email: ada.email },
        { token: adaOnAnotherDevice.accessToken, email: ada.email },
        { token: bob.accessToken, email: bob.email },
        { token: cy.accessToken, email: cy.email },
        { token: dee.accessToken, email: undefined },
      ];
      const calls = [...callers, ...callers, ...callers];

      const responses = await Promise.all(calls.map((caller) => me(caller.token)));

      expect(responses.map((response) => [response.status, response.body.email])).toEqual(
        calls.map((caller) => (caller.email ? [200, caller.email] : [401, undefined])),
      );
    });
  });

  describe('the read of the sessions of one turn of the event loop', () => {
    const find = (user: RegisteredUser, sessionId: string, now: Date) =>
      testApp.app.get(SessionsRepository).findUserOfActiveSession(user.user.id, sessionId, now);

    afterEach(() => jest.restoreAllMocks());

    it('is one statement, and answers each asker with the user of its own pair', async () => {
      const [ada, bob] = await Promise.all([registerUser(testApp), registerUser(testApp)]);
      const now = new Date();
      const statements = jest.spyOn(PreparedSql.prototype, 'rows');

      const users = await Promise.all([
        find(ada, ada.sessionId, now),
        find(bob, bob.sessionId, now),
        find(ada, ada.sessionId, now),
        // No token names this pair: Ada with Bob's session.
        find(ada, bob.sessionId, now),
      ]);

      expect(statements).toHaveBeenCalledTimes(1);
      expect(users.map((user) => user?.email ?? null)).toEqual([ada.email, bob.email, ada.email, null]);
      // Two requests with the same token each get a user of their own to change.
      expect(users[0]).not.toBe(users[2]);
    });

    it('judges every session at the latest time asked: one that ran out meanwhile is over for all', async () => {
      const ada = await registerUser(testApp);
      const { expiresAt } = await testApp.app
        .get(DataSource)
        .getRepository(Session)
        .findOneByOrFail({ id: ada.sessionId });
      const before = new Date(expiresAt.getTime() - 1000);
      const after = new Date(expiresAt.getTime() + 1000);

      expect(await Promise.all([find(ada, ada.sessionId, before), find(ada, ada.sessionId, after)])).toEqual([
        null,
        null,
      ]);
      expect((await find(ada, ada.sessionId, before))?.email).toBe(ada.email);
    });
  });

  describe('POST /auth/password', () => {
    const change = (token: string, body: object) =>
      testApp.http().post('/auth/password').set('Authorization', `Bearer ${token}`).send(body);

    it('changes the password, ends every other session and answers a pair in a new one', async () => {
      const ada = await registerUser(testApp);
      const otherDevice = (await login(ada)).body as TokenPairBody;

      const response = await change(ada.accessToken, {
        currentPassword: ada.password,
        newPassword: 'a new passphrase',
      });

      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const pair = response.body as TokenPairBody;
      expect(pair.refreshToken).toMatch(REFRESH_TOKEN);
      expect(claimsOf(pair.accessToken).sid).not.toBe(ada.sessionId);
      expect((await me(pair.accessToken)).status).toBe(200);
      expect((await refresh(pair.refreshToken)).status).toBe(200);
      for (const token of [ada.accessToken, otherDevice.accessToken])
        expect((await me(token)).status).toBe(401);
      for (const token of [ada.refreshToken, otherDevice.refreshToken])
        expectInvalidRefreshToken(await refresh(token));
      expect((await login(ada)).status).toBe(401);
      expect((await login(ada, 'a new passphrase')).status).toBe(200);
    });

    it('answers 401 INVALID_CREDENTIALS to a wrong current password, counted as a failed login', async () => {
      const ada = await registerUser(testApp);

      for (let i = 0; i < 3; i += 1) {
        const response = await change(ada.accessToken, {
          currentPassword: 'wrong password',
          newPassword: 'whatever new',
        });
        expect(response.status).toBe(401);
        expect(response.body).toMatchObject({ code: 'INVALID_CREDENTIALS' });
      }

      // LOGIN_MAX_FAILURES=3 in this app: the email is now locked for logins too.
      const locked = await login(ada);
      expect(locked.status).toBe(429);
      expect(locked.headers['retry-after']).toMatch(/^\d+$/);
      // Nothing changed: the session still runs.
      expect((await me(ada.accessToken)).status).toBe(200);
    });

    it.each<[string, object]>([
      ['a short new password', { currentPassword: 'x', newPassword: 'short' }],
      ['a missing current password', { newPassword: 'long enough' }],
      ['an unknown property', { currentPassword: 'x', newPassword: 'long enough', email: 'a@b.c' }],
    ])('answers 400 VALIDATION_FAILED for %s', async (_case, body) => {
      const ada = await registerUser(testApp);
      const response = await change(ada.accessToken, body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  describe('the sweep of expired sessions', () => {
    it('deletes a session that ran out, with its refresh tokens, and leaves running ones', async () => {
      const ada = await registerUser(testApp);
      const bob = await registerUser(testApp);
      const dataSource = testApp.app.get(DataSource);
      const sid = claimsOf(ada.accessToken).sid!;
      await dataSource
        .getRepository(Session)
        .update({ id: sid }, { expiresAt: new Date(Date.now() - 60_000) });

      const swept = await testApp.app.get(ExpiredRecordsSweeper).sweep();

      expect(swept.sessions).toBeGreaterThanOrEqual(1);
      await expect(dataSource.getRepository(Session).countBy({ id: sid })).resolves.toBe(0);
      await expect(dataSource.getRepository(RefreshToken).countBy({ sessionId: sid })).resolves.toBe(0);
      expectInvalidRefreshToken(await refresh(ada.refreshToken));
      expect((await refresh(bob.refreshToken)).status).toBe(200);
    });
  });
});

describe(`two instances sharing the database and Redis (${DATABASE_LABEL})`, () => {
  const sqliteFile = E2E_DATABASE_URL ? undefined : tempSqliteFile();
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    const env = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `e2e-${randomBytes(6).toString('hex')}:`,
      REFRESH_TOKEN_REUSE_INTERVAL_SECONDS: '1',
    };
    // Both sign with the default test key, as instances of one deployment share JWT_PRIVATE_KEY.
    first = await createTestApp({ env, sqliteFile });
    second = await createTestApp({ env, sqliteFile });
  });

  afterAll(async () => {
    await second.close();
    await first.close();
    if (sqliteFile) removeSqliteFile(sqliteFile);
  });

  const me = (app: TestApp, token: string) =>
    app.http().get('/users/me').set('Authorization', `Bearer ${token}`);

  it("accept each other's tokens", async () => {
    const ada = await registerUser(first);
    expect((await me(second, ada.accessToken)).status).toBe(200);
    expect((await second.http().post('/auth/refresh').send({ refreshToken: ada.refreshToken })).status).toBe(
      200,
    );
  });

  it('agree on a logout made on the other instance', async () => {
    const ada = await registerUser(first);
    await second.http().post('/auth/logout').set('Authorization', `Bearer ${ada.accessToken}`).expect(204);

    expect((await me(first, ada.accessToken)).status).toBe(401);
    expect((await first.http().post('/auth/refresh').send({ refreshToken: ada.refreshToken })).status).toBe(
      401,
    );
  });

  it('agree on a refresh-token reuse detected on the other instance', async () => {
    const ada = await registerUser(first);
    const rotated = (await first.http().post('/auth/refresh').send({ refreshToken: ada.refreshToken }))
      .body as TokenPairBody;
    await new Promise((resolve) => setTimeout(resolve, 1100));

    expect((await second.http().post('/auth/refresh').send({ refreshToken: ada.refreshToken })).status).toBe(
      401,
    );

    expect((await me(first, rotated.accessToken)).status).toBe(401);
    expect(
      (await first.http().post('/auth/refresh').send({ refreshToken: rotated.refreshToken })).status,
    ).toBe(401);
  });

  it('agree on a password change made on the other instance', async () => {
    const ada = await registerUser(first);
    const changed = await second
      .http()
      .post('/auth/password')
      .set('Authorization', `Bearer ${ada.accessToken}`)
      .send({ currentPassword: ada.password, newPassword: 'a new passphrase' });
    expect(changed.status).toBe(200);

    expect((await me(first, ada.accessToken)).status).toBe(401);
    expect((await me(first, (changed.body as TokenPairBody).accessToken)).status).toBe(200);
  });

  it('serve one token refreshed on both at the same moment', async () => {
    const ada = await registerUser(first);
    const [a, b] = await Promise.all([
      first.http().post('/auth/refresh').send({ refreshToken: ada.refreshToken }),
      second.http().post('/auth/refresh').send({ refreshToken: ada.refreshToken }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
  });
});
