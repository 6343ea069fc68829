import { HttpService } from '@nestjs/axios';
import {
  AxiosError,
  AxiosHeaders,
  AxiosRequestConfig,
  AxiosResponse,
  InternalAxiosRequestConfig,
} from 'axios';
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { from, mergeMap, Observable, of, throwError } from 'rxjs';
import type { Response } from 'supertest';
import type { ErrorCode } from '../src/common/error-codes';
import { createTestApp, DATABASE_LABEL, registerUser, RegisteredUser, TestApp } from './utils/test-app';
import { TestPhone, uniqueMobile, V1_API_KEY, V2_CREDENTIALS } from './utils/verification-providers';

/** What the upstream answers to one request: a status, a body as the wire carries it, and headers. */
interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
  /** The answer arrives only once this settles, e.g. after a concurrent request was answered. */
  after?: Promise<void>;
}

interface RecordedRequest {
  method: string;
  url: string;
  data?: Record<string, string>;
  params?: Record<string, string>;
}

/**
 * Stands in for @nestjs/axios' HttpService: answers each call with the next scripted reply, the way axios
 * would (a status outside `validateStatus` becomes an AxiosError carrying the response), and records it.
 */
class ScriptedHttp {
  readonly requests: RecordedRequest[] = [];
  /** Read by the provider modules when they close. */
  readonly axiosRef = { defaults: {} };
  unscripted = 0;
  private readonly replies: Reply[] = [];
  private readonly arrivals: Array<() => void> = [];

  reply(...replies: Reply[]): void {
    this.replies.push(...replies);
  }

  get queued(): number {
    return this.replies.length;
  }

  /** Resolves once `count` requests in all have arrived. */
  async requestsArrived(count: number): Promise<void> {
    while (this.requests.length < count) await new Promise<void>((resolve) => this.arrivals.push(resolve));
  }

  request<T = string>(config: AxiosRequestConfig): Observable<AxiosResponse<T>> {
    this.requests.push({
      method: (config.method ?? 'GET').toUpperCase(),
      url: config.url ?? '',
      data: fieldsOf(config.data),
      params: fieldsOf(config.params),
    });
    for (const arrived of this.arrivals.splice(0)) arrived();
    const reply = this.replies.shift();
    if (!reply) {
      this.unscripted++;
      return throwError(() => new Error(`unscripted request ${config.method} ${config.url}`));
    }
    const internal: InternalAxiosRequestConfig = { ...config, headers: new AxiosHeaders() };
    const response: AxiosResponse<T> = {
      status: reply.status,
      statusText: STATUS_CODES[reply.status] ?? '',
      data: reply.body as T,
      headers: { 'content-type': 'application/json; charset=utf-8', ...reply.headers },
      config: internal,
    };
    const validate =
      config.validateStatus === undefined
        ? (status: number) => status >= 200 && status < 300
        : config.validateStatus;
    const code = reply.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST;
    const answer =
      !validate || validate(reply.status)
        ? of(response)
        : throwError(
            () =>
              new AxiosError(`Request failed with status code ${reply.status}`, code, internal, {}, response),
          );
    return reply.after ? from(reply.after).pipe(mergeMap(() => answer)) : answer;
  }

  post<T = string>(
    url: string,
    data?: unknown,
    config: AxiosRequestConfig = {},
  ): Observable<AxiosResponse<T>> {
    return this.request<T>({ ...config, method: 'POST', url, data });
  }
}

function fieldsOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || value instanceof URLSearchParams) {
    return Object.fromEntries(new URLSearchParams(value));
  }
  return Object.fromEntries(Object.entries(value as object).map(([name, field]) => [name, String(field)]));
}

/** Distinctive upstream text: it must never reach a client. */
const LEAK = 'upstream-text-zebra-4471';
const SECRETS = [
  LEAK,
  V1_API_KEY,
  V2_CREDENTIALS.accountSid,
  V2_CREDENTIALS.authToken,
  V2_CREDENTIALS.serviceSid,
];
const CODE = '123456';

const json = (status: number, body: object, headers?: Record<string, string>): Reply => ({
  status,
  body: JSON.stringify(body),
  headers,
});
const v1Error = (status: number, errorCode: string): Reply =>
  json(status, {
    error_code: errorCode,
    message: `${LEAK} (${errorCode})`,
    errors: { message: LEAK },
    success: false,
  });
const v2Error = (status: number, code: number, message = LEAK): Reply =>
  json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
const html: Reply = { status: 200, body: `<html><body>${LEAK}</body></html>` };
const serverError: Reply = { status: 500, body: `<html><body>500 ${LEAK}</body></html>` };

const v1Started = json(200, {
  carrier: 'Fake Carrier',
  is_cellphone: true,
  message: 'Text message sent to +44 7123 456789.',
  seconds_to_expire: 599,
  uuid: 'b8ebcd40-0000-4000-8000-000000000000',
  success: true,
});
const v1Approved = json(200, { message: 'Verification code is correct.', success: true });
const v2Sid = () => `VE${randomBytes(16).toString('hex')}`;
const v2Verification = (sid: string, status: string, httpStatus = 200) =>
  json(httpStatus, {
    sid,
    service_sid: V2_CREDENTIALS.serviceSid,
    account_sid: V2_CREDENTIALS.accountSid,
    channel: 'sms',
    status,
    valid: status === 'approved',
  });

interface Harness {
  testApp: TestApp;
  scripted: ScriptedHttp;
}

/** Boots the real AppModule with this environment, its HttpService replaced by a scripted one. */
function bootWith(env: Record<string, string>): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    harness.scripted = new ScriptedHttp();
    harness.testApp = await createTestApp({
      env,
      override: (builder) => builder.overrideProvider(HttpService).useValue(harness.scripted),
    });
  });
  afterEach(() => {
    expect({ queued: harness.scripted.queued, unscripted: harness.scripted.unscripted }).toEqual({
      queued: 0,
      unscripted: 0,
    });
  });
  afterAll(() => harness.testApp.close());
  return harness;
}

function client(harness: Harness) {
  const http = () => harness.testApp.http();
  const auth = (user: RegisteredUser) => ({ Authorization: `Bearer ${user.accessToken}` });
  const api = {
    putPhone: (user: RegisteredUser, phoneNumber: string) =>
      http().put('/users/me/phone').set(auth(user)).send({ phoneNumber }),
    start: (user: RegisteredUser, body: object = {}) =>
      http().post('/phone-verification/start').set(auth(user)).send(body),
    check: (user: RegisteredUser, code = CODE) =>
      http().post('/phone-verification/check').set(auth(user)).send({ code }),
    status: async (user: RegisteredUser) =>
      (await http().get('/phone-verification/status').set(auth(user)).expect(200)).body,
    /** A fresh account with a fresh number stored, nothing sent yet. */
    userWithPhone: async (): Promise<{ user: RegisteredUser; phone: TestPhone }> => {
      const user = await registerUser(harness.testApp);
      const phone = uniqueMobile();
      await http().put('/users/me/phone').set(auth(user)).send({ phoneNumber: phone.e164 }).expect(200);
      return { user, phone };
    },
  };
  return {
    ...api,
    /** A failed start answers the documented error and leaves no pending verification and no used send slot. */
    async expectFailedStart(
      status: number,
      code: ErrorCode,
      replies: Reply[],
      success: Reply,
    ): Promise<void> {
      const { user, phone } = await api.userWithPhone();
      const before = harness.scripted.requests.length;
      harness.scripted.reply(...replies);
      expectFailure(await api.start(user), status, code);
      expect(harness.scripted.requests.length - before).toBe(replies.length);
      await expect(api.status(user)).resolves.toEqual({
        phoneNumber: phone.e164,
        phoneNumberConfirmed: false,
        pending: null,
      });
      // An immediate new start is not RESEND_TOO_SOON.
      harness.scripted.reply(success);
      await api.start(user).expect(202);
    },
    /** A failed check answers the documented error; `left` is attemptsRemaining afterwards, null when it ended. */
    async expectFailedCheck(
      status: number,
      code: ErrorCode,
      left: number | null,
      replies: Reply[],
      started: Reply,
    ): Promise<void> {
      const { user } = await api.userWithPhone();
      harness.scripted.reply(started);
      await api.start(user).expect(202);
      const before = harness.scripted.requests.length;
      harness.scripted.reply(...replies);
      expectFailure(
        await api.check(user),
        status,
        code,
        code === 'INVALID_CODE' ? { attemptsRemaining: left } : {},
      );
      expect(harness.scripted.requests.length - before).toBe(replies.length);
      const { pending } = await api.status(user);
      expect(pending === null ? null : pending.attemptsRemaining).toBe(left);
    },
  };
}

/** The documented error body, exactly, and nothing of the upstream's text or our credentials in it. */
function expectFailure(
  response: Response,
  status: number,
  code: ErrorCode,
  extra: Record<string, unknown> = {},
): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: { statusCode: status, error: STATUS_CODES[status], code, message: expect.any(String), ...extra },
  });
  for (const secret of SECRETS) expect(response.text).not.toContain(secret);
  expect(response.text).not.toMatch(/VE[0-9a-f]{32}/);
  if (status === 429) expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
}

/** An upstream answer (or several, for calls the adapter retries), and what the client gets. */
type StartCase = [string, number, ErrorCode, Reply | Reply[]];
/** The fourth field is attemptsRemaining afterwards (in the body too for INVALID_CODE), null when it ended. */
type CheckCase = [string, number, ErrorCode, number | null, Reply | Reply[]];

describe(`Verify v1 upstream errors through the API (${DATABASE_LABEL})`, () => {
  const harness = bootWith({ VERIFY_PROVIDER: 'twilio-v1', TWILIO_VERIFY_API_KEY: V1_API_KEY });
  const api = client(harness);

  it.each<StartCase>([
    ['60033', 400, 'INVALID_PHONE_NUMBER', v1Error(400, '60033')],
    ['60078', 400, 'INVALID_PHONE_NUMBER', v1Error(403, '60078')],
    ['60083', 400, 'INVALID_PHONE_NUMBER', v1Error(403, '60083')],
    ['60082', 400, 'CHANNEL_NOT_SUPPORTED', v1Error(403, '60082')],
    ['60003', 429, 'RATE_LIMITED', v1Error(429, '60003')],
    ['60001', 502, 'VERIFY_PROVIDER_ERROR', v1Error(401, '60001')],
    ...['60000', '60002', '60004', '60005', '60021', '60060'].map((code): StartCase => [
      code,
      502,
      'VERIFY_PROVIDER_ERROR',
      v1Error(400, code),
    ]),
    ['a 500', 502, 'VERIFY_PROVIDER_ERROR', serverError],
    ['a body that is not JSON', 502, 'VERIFY_PROVIDER_ERROR', html],
    ['a 200 with success:false', 502, 'VERIFY_PROVIDER_ERROR', json(200, { message: LEAK, success: false })],
  ])('start: upstream %s answers %i %s and changes nothing', async (_, status, code, replies) => {
    await api.expectFailedStart(status, code, [replies].flat(), v1Started);
  });

  it.each<CheckCase>([
    ['60022', 400, 'INVALID_CODE', 4, v1Error(401, '60022')],
    ['60023', 400, 'VERIFICATION_EXPIRED', null, v1Error(404, '60023')],
    ['60001', 502, 'VERIFY_PROVIDER_ERROR', 5, v1Error(401, '60001')],
    ['a 500', 502, 'VERIFY_PROVIDER_ERROR', 5, serverError],
    ['a body that is not JSON', 502, 'VERIFY_PROVIDER_ERROR', 5, html],
    [
      'a 200 with success:false',
      502,
      'VERIFY_PROVIDER_ERROR',
      5,
      json(200, { message: LEAK, success: false }),
    ],
  ])('check: upstream %s answers %i %s, attempts left %s', async (_, status, code, left, replies) => {
    await api.expectFailedCheck(status, code, left, [replies].flat(), v1Started);
  });

  it('sends the documented start and check requests, and confirms on approval', async () => {
    const { user, phone } = await api.userWithPhone();
    harness.scripted.reply(v1Started);
    await api.start(user, { channel: 'sms', locale: 'en' }).expect(202);
    harness.scripted.reply(v1Approved);
    const confirmed = await api.check(user).expect(200);
    expect(confirmed.body).toMatchObject({ phoneNumberConfirmed: true, phoneNumber: phone.e164 });
    expect(harness.scripted.requests.slice(-2)).toEqual([
      {
        method: 'POST',
        url: 'protected/json/phones/verification/start',
        data: {
          via: 'sms',
          country_code: '44',
          phone_number: phone.nationalNumber,
          code_length: '6',
          locale: 'en',
        },
      },
      {
        method: 'GET',
        url: 'protected/json/phones/verification/check',
        params: { country_code: '44', phone_number: phone.nationalNumber, verification_code: CODE },
      },
    ]);
  });

  it('keeps an approval that arrives after a concurrent check of the same code was told "not found"', async () => {
    // Twilio approves the first check and forgets the verification, so a second check of the same code,
    // sent at the same moment (a double submit, a second tab), gets 60023; its answer may arrive first.
    const { user, phone } = await api.userWithPhone();
    harness.scripted.reply(v1Started);
    await api.start(user).expect(202);
    let deliverApproval!: () => void;
    const approvalHeld = new Promise<void>((resolve) => (deliverApproval = resolve));
    harness.scripted.reply({ ...v1Approved, after: approvalHeld }, v1Error(404, '60023'));
    const before = harness.scripted.requests.length;

    const approved = api.check(user).then((answer) => answer);
    await harness.scripted.requestsArrived(before + 1);
    const notFound = await api.check(user);
    deliverApproval();
    const answers = [await approved, notFound];

    expect(answers.map((answer) => answer.status)).toEqual([200, 400]);
    await expect(api.status(user)).resolves.toMatchObject({
      phoneNumber: phone.e164,
      phoneNumberConfirmed: true,
      pending: null,
    });
  });

  it('confirms one of two accounts when the provider approves both of their checks at once', async () => {
    const phone = uniqueMobile();
    const accounts = await Promise.all([registerUser(harness.testApp), registerUser(harness.testApp)]);
    for (const user of accounts) {
      await api.putPhone(user, phone.e164).expect(200);
      harness.scripted.reply(v1Started);
      await api.start(user).expect(202);
    }
    harness.scripted.reply(v1Approved, v1Approved);
    const answers = await Promise.all(accounts.map((user) => api.check(user)));
    const outcomes = answers.map((answer) => `${answer.status} ${answer.body.code ?? 'confirmed'}`).sort();
    expect(outcomes).toEqual(['200 confirmed', '409 PHONE_NUMBER_TAKEN']);
    const confirmed = await Promise.all(
      accounts.map(async (user) => (await api.status(user)).phoneNumberConfirmed),
    );
    expect(confirmed.sort()).toEqual([false, true]);
  });
});

describe(`Verify v2 upstream errors through the API (${DATABASE_LABEL})`, () => {
  const harness = bootWith({
    VERIFY_PROVIDER: 'twilio-v2',
    TWILIO_ACCOUNT_SID: V2_CREDENTIALS.accountSid,
    TWILIO_AUTH_TOKEN: V2_CREDENTIALS.authToken,
    TWILIO_VERIFY_SERVICE_SID: V2_CREDENTIALS.serviceSid,
  });
  const api = client(harness);
  const service = `Services/${V2_CREDENTIALS.serviceSid}`;
  const throttled = v2Error(429, 20429);
  const created = () => v2Verification(v2Sid(), 'pending', 201);

  it.each<StartCase>([
    ['60200 about To', 400, 'INVALID_PHONE_NUMBER', v2Error(400, 60200, `${LEAK}: Invalid parameter: To`)],
    [
      '60200 about Channel',
      502,
      'VERIFY_PROVIDER_ERROR',
      v2Error(400, 60200, `${LEAK}: Invalid parameter: Channel`),
    ],
    ['60205', 400, 'CHANNEL_NOT_SUPPORTED', v2Error(403, 60205)],
    ['60605', 400, 'COUNTRY_NOT_ALLOWED', v2Error(403, 60605)],
    ['60410', 403, 'DESTINATION_BLOCKED', v2Error(403, 60410)],
    ['60412', 403, 'DESTINATION_BLOCKED', v2Error(403, 60412)],
    ['60203', 429, 'SEND_LIMIT_REACHED', v2Error(429, 60203)],
    ['20429 three times (two retries)', 429, 'RATE_LIMITED', [throttled, throttled, throttled]],
    ['60212', 429, 'RATE_LIMITED', v2Error(429, 60212)],
    ['20003', 502, 'VERIFY_PROVIDER_ERROR', v2Error(401, 20003)],
    ['a 500', 502, 'VERIFY_PROVIDER_ERROR', serverError],
    ['a body that is not JSON', 502, 'VERIFY_PROVIDER_ERROR', { ...html, status: 201 }],
  ])('start: upstream %s answers %i %s and changes nothing', async (_, status, code, replies) => {
    await api.expectFailedStart(status, code, [replies].flat(), created());
  });

  it.each<CheckCase>([
    ['20404', 400, 'VERIFICATION_EXPIRED', null, v2Error(404, 20404)],
    ['60202', 429, 'TOO_MANY_ATTEMPTS', null, v2Error(429, 60202)],
    ['a 2xx with status pending', 400, 'INVALID_CODE', 4, v2Verification(v2Sid(), 'pending')],
    ['20429 three times (two retries)', 429, 'RATE_LIMITED', 5, [throttled, throttled, throttled]],
    ['60212', 429, 'RATE_LIMITED', 5, v2Error(429, 60212)],
    ['20003', 502, 'VERIFY_PROVIDER_ERROR', 5, v2Error(401, 20003)],
    ['a 500', 502, 'VERIFY_PROVIDER_ERROR', 5, serverError],
    ['a body that is not JSON', 502, 'VERIFY_PROVIDER_ERROR', 5, html],
  ])('check: upstream %s answers %i %s, attempts left %s', async (_, status, code, left, replies) => {
    await api.expectFailedCheck(status, code, left, [replies].flat(), created());
  });

  async function userWithCodeSent() {
    const { user, phone } = await api.userWithPhone();
    const sid = v2Sid();
    harness.scripted.reply(v2Verification(sid, 'pending', 201));
    await api.start(user).expect(202);
    return { user, phone, sid };
  }

  it('sends the documented start and check requests, and confirms on approval', async () => {
    const { user, phone, sid } = await userWithCodeSent();
    harness.scripted.reply(v2Verification(sid, 'approved'));
    const confirmed = await api.check(user).expect(200);
    expect(confirmed.body).toMatchObject({ phoneNumberConfirmed: true, phoneNumber: phone.e164 });
    expect(harness.scripted.requests.slice(-2)).toEqual([
      { method: 'POST', url: `${service}/Verifications`, data: { To: phone.e164, Channel: 'sms' } },
      { method: 'POST', url: `${service}/VerificationCheck`, data: { VerificationSid: sid, Code: CODE } },
    ]);
  });

  it('cancels the pending verification at Twilio when the number changes', async () => {
    const { user, sid } = await userWithCodeSent();
    harness.scripted.reply(v2Verification(sid, 'canceled'));
    await api.putPhone(user, uniqueMobile().e164).expect(200);
    expect(harness.scripted.requests.at(-1)).toEqual({
      method: 'POST',
      url: `${service}/Verifications/${sid}`,
      data: { Status: 'canceled' },
    });
    await expect(api.status(user)).resolves.toMatchObject({ pending: null });
  });
});
