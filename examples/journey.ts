/**
 * A typed client of the identity service, its types generated from the service's OpenAPI document, walking
 * a new user's journey: register, give a phone number, receive a code, confirm it.
 *
 *   npm run openapi:client                      # writes examples/generated/api.d.ts and type-checks this file
 *   API_URL=http://localhost:3000 npx ts-node examples/journey.ts
 *
 * With the development provider the code is in the service's log: type it when asked. VERIFY_CODE skips the
 * question (a test number's code), PHONE_NUMBER chooses the number (as a person types it, with COUNTRY_CODE).
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import type { components, operations, paths } from './generated/api';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type ErrorBody = components['schemas']['ErrorResponseDto'];
type RequestBody<Id extends keyof operations> = operations[Id] extends {
  requestBody?: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;
type Responses<Id extends keyof operations> = operations[Id]['responses'];
type ResponseBody<
  Id extends keyof operations,
  Status extends keyof Responses<Id>,
> = Responses<Id>[Status] extends { content: { 'application/json': infer Body } } ? Body : never;

// The routes this client calls, by the operation ids of the document: renaming one breaks this file's build.
const ROUTES = {
  register: ['POST', '/auth/register'],
  getMe: ['GET', '/users/me'],
  startVerification: ['POST', '/phone-verification/start'],
  checkVerification: ['POST', '/phone-verification/check'],
} as const satisfies { [Id in keyof operations]?: readonly [Method, keyof paths] };
type OperationId = keyof typeof ROUTES;

const API_URL = process.env.API_URL ?? 'http://localhost:3000';

/** An answer other than the expected one, with the service's error body (`code` is what to branch on). */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(`${status} ${body.code}: ${body.message}`);
  }
}

async function call<Id extends OperationId, Status extends keyof Responses<Id> & number>(
  operation: Id,
  expected: Status,
  options: { body?: RequestBody<Id>; token?: string } = {},
): Promise<ResponseBody<Id, Status>> {
  const [method, path] = ROUTES[operation];
  const response = await fetch(new URL(path, API_URL), {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const body: unknown = await response.json();
  if (response.status !== expected) throw new ApiError(response.status, body as ErrorBody);
  return body as ResponseBody<Id, Status>;
}

async function main(): Promise<void> {
  const email = process.env.EMAIL ?? `journey-${randomBytes(4).toString('hex')}@example.com`;
  const registered = await call('register', 201, {
    body: { email, password: `journey-${randomBytes(8).toString('hex')}` },
  });
  const token = registered.accessToken;
  console.log(`registered ${registered.user.email} (user ${registered.user.id})`);

  const sent = await call('startVerification', 202, {
    token,
    body: {
      countryCode: Number(process.env.COUNTRY_CODE ?? 44),
      phoneNumber: process.env.PHONE_NUMBER ?? '07400 123456',
      channel: 'sms',
    },
  });
  console.log(`code sent to ${sent.to} by ${sent.channel}, valid ${sent.expiresInSeconds} s`);

  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    for (;;) {
      const code = process.env.VERIFY_CODE ?? (await prompt.question('code: ')).trim();
      try {
        const confirmed = await call('checkVerification', 200, { token, body: { code } });
        console.log(`confirmed ${confirmed.phoneNumber}`);
        break;
      } catch (error) {
        // A wrong code says how many tries are left; anything else ends the journey.
        if (!(error instanceof ApiError) || error.body.code !== 'INVALID_CODE' || process.env.VERIFY_CODE) {
          throw error;
        }
        console.log(`wrong code, ${error.body.attemptsRemaining} attempts left`);
      }
    }
  } finally {
    prompt.close();
  }

  const me = await call('getMe', 200, { token });
  console.log(`phoneNumberConfirmed: ${me.phoneNumberConfirmed}`);
  if (!me.phoneNumberConfirmed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
