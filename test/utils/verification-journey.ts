import type { Test } from 'supertest';
import { createTestApp, registerUser, RegisteredUser, TestApp, TestAppOptions } from './test-app';
import { ProviderUnderTest, TestPhone } from './verification-providers';

/** One app with one provider, and the requests of the verification journey as an attacker or a user makes them. */
export interface Journey {
  app: TestApp;
  provider: ProviderUnderTest;
  register(): Promise<RegisteredUser>;
  /** `client` is the address the request comes from (through the trusted proxy). */
  start(user: RegisteredUser, body?: object, client?: string): Test;
  check(user: RegisteredUser, code: string): Test;
  me(user: RegisteredUser): Test;
  status(user: RegisteredUser): Test;
  /** A code that is not the one the provider sent to this number. */
  wrongCodeFor(phone: TestPhone): string;
}

const auth = (user: RegisteredUser) => ({ Authorization: `Bearer ${user.accessToken}` });

export async function journey(provider: ProviderUnderTest, options: TestAppOptions = {}): Promise<Journey> {
  const app = await createTestApp({
    ...options,
    // Behind a trusted loopback proxy, so a test can speak for many client addresses.
    env: {
      ...provider.env(),
      TRUST_PROXY: 'loopback',
      // The defaults, which the test app otherwise turns off.
      VERIFY_MAX_SENDS_PER_ADDRESS_PER_HOUR: '10',
      VERIFY_MAX_SENDS_PER_NUMBER_PER_HOUR: '3',
      ...options.env,
    },
  });
  return journeyOn(app, provider);
}

export function journeyOn(app: TestApp, provider: ProviderUnderTest): Journey {
  return {
    app,
    provider,
    register: () => registerUser(app),
    start: (user, body = {}, client = '198.51.100.1') =>
      app.http().post('/phone-verification/start').set(auth(user)).set('X-Forwarded-For', client).send(body),
    check: (user, code) => app.http().post('/phone-verification/check').set(auth(user)).send({ code }),
    me: (user) => app.http().get('/users/me').set(auth(user)),
    status: (user) => app.http().get('/phone-verification/status').set(auth(user)),
    wrongCodeFor: (phone) => {
      const code = provider.codeFor(phone) ?? '000000';
      return code.replace(/^./, (digit) => String((Number(digit) + 1) % 10));
    },
  };
}
