import { STATUS_CODES } from 'node:http';
import type { Response } from 'supertest';
import { Clock } from '../src/common/clock';
import type { ErrorCode } from '../src/common/error-codes';
import { createTestApp, DATABASE_LABEL, registerUser, RegisteredUser, TestApp } from './utils/test-app';
import {
  ProviderUnderTest,
  TestClock,
  TestPhone,
  twilioV1Provider,
  twilioV2Provider,
  uniqueMobile,
} from './utils/verification-providers';

/** What both local Twilio fakes offer to break the wire and to count what reached them. */
interface FaultyFake {
  failNext(mode: Fault): void;
  readonly checkRequests: number;
}
type Fault = 'status500' | 'garbage' | 'reset' | 'hang';

const DRIVERS: Array<[string, () => Promise<ProviderUnderTest & { fake: FaultyFake }>]> = [
  ['twilio-v1', twilioV1Provider],
  ['twilio-v2', twilioV2Provider],
];

const TIMEOUT_MS = 300;
/** A hanging provider must be answered for well before a client would give up. */
const ANSWER_WITHIN_MS = 2000;

const FAULTS: Array<[string, number, ErrorCode, Fault]> = [
  ['a 500', 502, 'VERIFY_PROVIDER_ERROR', 'status500'],
  ['a garbage body', 502, 'VERIFY_PROVIDER_ERROR', 'garbage'],
  ['a connection reset', 502, 'VERIFY_PROVIDER_ERROR', 'reset'],
  ['no answer', 504, 'VERIFY_PROVIDER_TIMEOUT', 'hang'],
];

/** `200`, or the status and error code, of each answer. */
const outcomesOf = (answers: Response[]) =>
  answers.map((answer) => (answer.status === 200 ? '200' : `${answer.status} ${answer.body.code}`));

function expectError(response: Response, status: number, code: ErrorCode): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: { statusCode: status, error: STATUS_CODES[status], code, message: expect.any(String) },
  });
}

describe.each(DRIVERS)(`provider faults with the %s fake (${DATABASE_LABEL})`, (_name, makeProvider) => {
  let provider: ProviderUnderTest & { fake: FaultyFake };
  let clock: TestClock;
  let testApp: TestApp;

  beforeAll(async () => {
    provider = await makeProvider();
    clock = new TestClock();
    testApp = await createTestApp({
      env: { ...provider.env(), VERIFY_TIMEOUT_MS: String(TIMEOUT_MS) },
      override: (builder) => builder.overrideProvider(Clock).useValue(clock),
    });
  });

  afterAll(async () => {
    await testApp.close();
    await provider.close();
  });

  const auth = (user: RegisteredUser) => ({ Authorization: `Bearer ${user.accessToken}` });
  const start = (user: RegisteredUser) =>
    testApp.http().post('/phone-verification/start').set(auth(user)).send({});
  const check = (user: RegisteredUser, code: string) =>
    testApp.http().post('/phone-verification/check').set(auth(user)).send({ code });
  const status = async (user: RegisteredUser) =>
    (await testApp.http().get('/phone-verification/status').set(auth(user)).expect(200)).body;
  const me = async (user: RegisteredUser) =>
    (await testApp.http().get('/users/me').set(auth(user)).expect(200)).body;
  const codeFor = (phone: TestPhone) => {
    const code = provider.codeFor(phone);
    expect(code).toMatch(/^\d{4,10}$/);
    return code!;
  };
  const wrongCodeFor = (phone: TestPhone) => (provider.codeFor(phone) === '999999' ? '999998' : '999999');

  async function userWithPhone(phone = uniqueMobile()): Promise<{ user: RegisteredUser; phone: TestPhone }> {
    const user = await registerUser(testApp);
    await testApp.http().put('/users/me/phone').set(auth(user)).send({ phoneNumber: phone.e164 }).expect(200);
    return { user, phone };
  }

  async function userWithCodeSent(phone = uniqueMobile()) {
    const { user } = await userWithPhone(phone);
    await start(user).expect(202);
    return { user, phone };
  }

  /** The request, timed: every fault must be answered promptly, a hang included. */
  async function timed(request: Promise<Response>): Promise<Response> {
    const startedAt = Date.now();
    const response = await request;
    expect(Date.now() - startedAt).toBeLessThan(ANSWER_WITHIN_MS);
    return response;
  }

  const REFUSED_SENDS = FAULTS.filter(([, , , fault]) => fault === 'status500' || fault === 'garbage');
  const UNCERTAIN_SENDS = FAULTS.filter(([, , , fault]) => fault === 'reset' || fault === 'hang');

  it.each(REFUSED_SENDS)(
    'start: %s from the provider answers %i %s and leaves the user as they were',
    async (_fault, httpStatus, code, fault) => {
      const { user, phone } = await userWithPhone();
      const sentBefore = provider.sentCount();
      provider.fake.failNext(fault);
      expectError(await timed(start(user)), httpStatus, code);
      expect(provider.sentCount()).toBe(sentBefore);
      await expect(status(user)).resolves.toEqual({
        phoneNumber: phone.e164,
        phoneNumberConfirmed: false,
        pending: null,
      });

      // No send slot was consumed: the next start goes out at once, and its code works.
      await start(user).expect(202);
      expect(provider.sentCount()).toBe(sentBefore + 1);
      const confirmed = await check(user, codeFor(phone)).expect(200);
      expect(confirmed.body).toMatchObject({ phoneNumberConfirmed: true, phoneNumber: phone.e164 });
    },
  );

  it.each(UNCERTAIN_SENDS)(
    'start: %s from the provider answers %i %s and, as the code may have gone out, keeps the send slot',
    async (_fault, httpStatus, code, fault) => {
      const { user, phone } = await userWithPhone();
      provider.fake.failNext(fault);
      expectError(await timed(start(user)), httpStatus, code);
      await expect(me(user)).resolves.toMatchObject({ phoneNumber: phone.e164, phoneNumberConfirmed: false });

      // A billed SMS may be on its way: the cooldown holds, so a retry cannot send again at once.
      expect((await start(user).expect(429)).body.code).toBe('RESEND_TOO_SOON');
      clock.advanceSeconds(31);
      await start(user).expect(202);
      await check(user, codeFor(phone)).expect(200);
    },
  );

  it.each(REFUSED_SENDS)(
    'check: %s from the provider answers %i %s, costs no attempt, and the right code still confirms',
    async (_fault, httpStatus, code, fault) => {
      const { user, phone } = await userWithCodeSent();
      provider.fake.failNext(fault);
      expectError(await timed(check(user, codeFor(phone))), httpStatus, code);
      await expect(status(user)).resolves.toMatchObject({
        phoneNumberConfirmed: false,
        pending: { attemptsRemaining: 5 },
      });

      await check(user, codeFor(phone)).expect(200);
      await expect(me(user)).resolves.toMatchObject({ phoneNumber: phone.e164, phoneNumberConfirmed: true });
    },
  );

  it.each(UNCERTAIN_SENDS)(
    'check: %s from the provider answers %i %s and, as the provider may have judged it, counts as a wrong code',
    async (_fault, httpStatus, code, fault) => {
      const { user, phone } = await userWithCodeSent();
      provider.fake.failNext(fault);
      expectError(await timed(check(user, codeFor(phone))), httpStatus, code);
      await expect(status(user)).resolves.toMatchObject({
        phoneNumberConfirmed: false,
        pending: { attemptsRemaining: 4 },
      });

      await check(user, codeFor(phone)).expect(200);
    },
  );

  it('confirms once when 20 checks with the right code arrive together', async () => {
    const { user, phone } = await userWithCodeSent();
    const code = codeFor(phone);
    const answers = await Promise.all(Array.from({ length: 20 }, () => check(user, code)));
    expect(outcomesOf(answers).filter((outcome) => !/^4\d\d /.test(outcome))).toEqual(['200']);

    const confirmed = await me(user);
    expect(confirmed).toMatchObject({ phoneNumber: phone.e164, phoneNumberConfirmed: true });
    await expect(status(user)).resolves.toMatchObject({ phoneNumberConfirmed: true, pending: null });
    expect((await check(user, code).expect(409)).body.code).toBe('PHONE_ALREADY_CONFIRMED');
    await expect(me(user)).resolves.toEqual(confirmed);
  });

  it('lets exactly one of two accounts racing for one number confirm it', async () => {
    const phone = uniqueMobile();
    const { user: first } = await userWithCodeSent(phone);
    const { user: second } = await userWithCodeSent(phone);
    const code = codeFor(phone);

    const answers = await Promise.all([check(first, code), check(second, code)]);
    const winner = answers.findIndex((answer) => answer.status === 200);
    expect(winner).toBeGreaterThanOrEqual(0);
    const [winnerUser, loserUser] = winner === 0 ? [first, second] : [second, first];
    const loser = answers[1 - winner];
    // Both Twilio APIs hold one pending verification per number, so the first approval consumes the code
    // both accounts received: the loser is told it expired. Had the provider approved both, 409.
    expect([
      { status: 409, code: 'PHONE_NUMBER_TAKEN' },
      { status: 400, code: 'VERIFICATION_EXPIRED' },
    ]).toContainEqual({ status: loser.status, code: loser.body.code });

    // Proving ownership again tells the loser the number is taken, and it stays unconfirmed.
    clock.advanceSeconds(31);
    await start(loserUser).expect(202);
    expect((await check(loserUser, codeFor(phone)).expect(409)).body.code).toBe('PHONE_NUMBER_TAKEN');
    await expect(me(winnerUser)).resolves.toMatchObject({
      phoneNumber: phone.e164,
      phoneNumberConfirmed: true,
    });
    await expect(me(loserUser)).resolves.toMatchObject({
      phoneNumber: phone.e164,
      phoneNumberConfirmed: false,
    });
  });

  it('sends one code when 10 starts for one user arrive together', async () => {
    const { user, phone } = await userWithPhone();
    const sentBefore = provider.sentCount();
    const answers = await Promise.all(Array.from({ length: 10 }, () => start(user)));
    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(1);
    for (const refused of answers.filter((answer) => answer.status !== 202)) {
      expect({ status: refused.status, code: refused.body.code }).toEqual({
        status: 429,
        code: 'RESEND_TOO_SOON',
      });
      expect(refused.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    }
    expect(provider.sentCount()).toBe(sentBefore + 1);

    // Once the cooldown has passed, a re-send goes out and its code confirms.
    clock.advanceSeconds(31);
    await start(user).expect(202);
    expect(provider.sentCount()).toBe(sentBefore + 2);
    await check(user, codeFor(phone)).expect(200);
  });

  it('lets at most 5 of 50 simultaneous wrong codes reach the provider', async () => {
    const { user, phone } = await userWithCodeSent();
    const checksBefore = provider.fake.checkRequests;
    const answers = await Promise.all(Array.from({ length: 50 }, () => check(user, wrongCodeFor(phone))));
    expect(provider.fake.checkRequests - checksBefore).toBeLessThanOrEqual(5);

    const outcomes = outcomesOf(answers);
    expect(
      // RATE_LIMITED: every remaining attempt was being checked by another of these requests. This suite's
      // provider timeout is short, so on a busy machine a check may time out: it counts as a wrong code.
      outcomes.filter(
        (outcome) =>
          ![
            '400 INVALID_CODE',
            '429 TOO_MANY_ATTEMPTS',
            '429 RATE_LIMITED',
            '504 VERIFY_PROVIDER_TIMEOUT',
          ].includes(outcome),
      ),
    ).toEqual([]);
    const judged = outcomes.filter((outcome) => outcome === '400 INVALID_CODE' || outcome.startsWith('504'));
    expect(judged.length).toBeLessThanOrEqual(5);
    // The verification is used up: even the right code no longer confirms.
    expect((await check(user, codeFor(phone)).expect(429)).body.code).toBe('TOO_MANY_ATTEMPTS');
    await expect(me(user)).resolves.toMatchObject({ phoneNumberConfirmed: false });
  });
});
