import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { HttpService } from '@nestjs/axios';
import { Logger } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { Test, TestingModule } from '@nestjs/testing';
import { AxiosError, AxiosHeaders, AxiosRequestConfig, AxiosResponse, CanceledError } from 'axios';
import { Observable, of, throwError } from 'rxjs';
import { FakeVerifyV2Server } from '../../../test/fakes/fake-verify-v2.server';
import { verifyConfig } from '../../config/verify.config';
import { TwilioVerifyV2Module } from './twilio-verify-v2.module';
import { TwilioVerifyV2Service } from './twilio-verify-v2.service';
import {
  VerificationDestination,
  VerificationProviderError,
  VerificationProviderFailure,
} from './verification-provider.interface';
import { verifyConfigWith } from '../../../test/utils/verify-config';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'auth-token-that-must-never-leak';
const SERVICE_SID = 'VAfedcba9876543210fedcba9876543210';
const VERIFICATION_SID = 'VE00112233445566778899aabbccddeeff';
const TO: VerificationDestination = {
  e164: '+447700900123',
  countryCode: '44',
  nationalNumber: '7700900123',
};
const CODE = '482913';

const config: ConfigType<typeof verifyConfig> = verifyConfigWith({
  provider: 'twilio-v2',
  v2: {
    baseUrl: 'https://verify.twilio.com/v2/',
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    serviceSid: SERVICE_SID,
  },
});

type Reply =
  | { status: number; body: string; headers?: Record<string, string> }
  | { networkError: string }
  | { thrown: Error }
  | { hangUntilAborted: true };

interface RecordedRequest {
  method: 'POST';
  url: string;
  form: Record<string, string>;
  config: AxiosRequestConfig;
}

/** Answers like axios does: 2xx resolves, any other status or a network failure is an AxiosError. */
class FakeHttpService {
  readonly requests: RecordedRequest[] = [];
  private readonly replies: Reply[] = [];

  reply(...replies: Reply[]): void {
    this.replies.push(...replies);
  }

  post<T = string>(
    url: string,
    data?: unknown,
    requestConfig: AxiosRequestConfig = {},
  ): Observable<AxiosResponse<T>> {
    this.requests.push({
      method: 'POST',
      url,
      form: Object.fromEntries(new URLSearchParams(String(data))),
      config: requestConfig,
    });
    const reply = this.replies.shift();
    if (!reply) return throwError(() => new Error(`unexpected request POST ${url}`));
    if ('thrown' in reply) return throwError(() => reply.thrown);
    const internalConfig = { ...requestConfig, headers: new AxiosHeaders() };
    if ('hangUntilAborted' in reply) {
      return new Observable<AxiosResponse<T>>((subscriber) => {
        const signal = requestConfig.signal as AbortSignal | undefined;
        const abort = () => subscriber.error(new CanceledError(undefined, undefined, internalConfig));
        signal?.addEventListener('abort', abort);
        return () => signal?.removeEventListener('abort', abort);
      });
    }
    if ('networkError' in reply) {
      return throwError(() => new AxiosError('network failure', reply.networkError, internalConfig));
    }
    const response: AxiosResponse<T> = {
      data: reply.body as T,
      status: reply.status,
      statusText: '',
      headers: reply.headers ?? {},
      config: internalConfig,
    };
    if (reply.status < 200 || reply.status >= 300) {
      return throwError(
        () => new AxiosError('Request failed', AxiosError.ERR_BAD_REQUEST, internalConfig, {}, response),
      );
    }
    return of(response);
  }
}

function json(status: number, body: object, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(body), headers };
}

function twilioError(
  status: number,
  code: number | string,
  message = 'Error',
  headers?: Record<string, string>,
): Reply {
  return json(
    status,
    { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
    headers,
  );
}

const created = json(201, { sid: VERIFICATION_SID, status: 'pending', valid: false });
const tooManyRequests = twilioError(429, 20429, 'Too many requests');

async function failureOf(promise: Promise<unknown>): Promise<VerificationProviderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(VerificationProviderError);
  return error as VerificationProviderError;
}

/* eslint-disable no-restricted-properties -- the module under test reads its configuration from the environment */
function setEnv(vars: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
/* eslint-enable no-restricted-properties */

/** The module with the application's global ConfigModule, which reads the environment when compiled. */
function compileModule(): Promise<TestingModule> {
  return Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, load: [verifyConfig], ignoreEnvFile: true }),
      TwilioVerifyV2Module,
    ],
  }).compile();
}

/** A server that misbehaves on the wire the way `respond` says; `close` also ends the connections it holds. */
async function startRawServer(
  respond: (response: http.ServerResponse) => void,
): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = http.createServer((_request, response) => respond(response));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v2/`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Answers at once with headers and the start of a verification, then a byte every 50 ms; completes after 3 s. */
function trickle(response: http.ServerResponse): void {
  response.writeHead(201, { 'Content-Type': 'application/json' });
  response.write(`{"sid":"${VERIFICATION_SID}","status":"pending"`);
  const timer = setInterval(() => response.write(' '), 50);
  const end = setTimeout(() => response.end('}'), 3000);
  response.on('close', () => {
    clearInterval(timer);
    clearTimeout(end);
  });
}

const v2Env = {
  VERIFY_PROVIDER: 'twilio-v2',
  TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  TWILIO_VERIFY_SERVICE_SID: SERVICE_SID,
};

describe('TwilioVerifyV2Service', () => {
  let httpService: FakeHttpService;
  let service: TwilioVerifyV2Service;
  let sleep: jest.SpyInstance<Promise<void>, [number]>;
  let logged: string[];

  async function createService(timeoutMs = config.timeoutMs): Promise<TwilioVerifyV2Service> {
    const moduleRef = await Test.createTestingModule({
      providers: [
        TwilioVerifyV2Service,
        { provide: HttpService, useValue: httpService },
        { provide: verifyConfig.KEY, useValue: { ...config, timeoutMs } },
      ],
    }).compile();
    return moduleRef.get(TwilioVerifyV2Service);
  }

  beforeEach(async () => {
    httpService = new FakeHttpService();
    service = await createService();
    sleep = jest
      .spyOn(service as unknown as { sleep(ms: number): Promise<void> }, 'sleep')
      .mockResolvedValue(undefined);
    logged = [];
    for (const level of ['log', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
        logged.push(`${level}: ${String(args[0])}`);
      });
    }
  });

  afterEach(() => jest.restoreAllMocks());

  it('names itself and its channels', () => {
    expect(service.name).toBe('twilio-v2');
    expect(service.channels).toEqual(['sms', 'call', 'whatsapp']);
  });

  describe('start', () => {
    it('posts a form-encoded To and Channel to the service and returns the sid as reference', async () => {
      httpService.reply(created);

      await expect(service.start({ to: TO, channel: 'sms', codeLength: 6 })).resolves.toEqual({
        reference: VERIFICATION_SID,
      });

      expect(httpService.requests).toHaveLength(1);
      const [request] = httpService.requests;
      expect(request.method).toBe('POST');
      expect(request.url).toBe(`Services/${SERVICE_SID}/Verifications`);
      expect(request.form).toEqual({ To: '+447700900123', Channel: 'sms' });
      expect(request.config.headers).toMatchObject({ 'Content-Type': 'application/x-www-form-urlencoded' });
      expect(request.config.responseType).toBe('text');
    });

    it('sends Locale when given', async () => {
      httpService.reply(created);

      await expect(
        service.start({ to: TO, channel: 'whatsapp', locale: 'pt-BR', codeLength: 6 }),
      ).resolves.toEqual({
        reference: VERIFICATION_SID,
      });

      expect(httpService.requests[0].form).toEqual({
        To: '+447700900123',
        Channel: 'whatsapp',
        Locale: 'pt-BR',
      });
    });

    it('accepts any 2xx', async () => {
      httpService.reply(json(200, { sid: VERIFICATION_SID }));

      await expect(service.start({ to: TO, channel: 'call', codeLength: 6 })).resolves.toEqual({
        reference: VERIFICATION_SID,
      });
    });

    it.each([
      ['without a sid', json(201, { status: 'pending' })],
      ['with a sid that is not a string', json(201, { sid: 42 })],
      ['that is not JSON', { status: 201, body: '<html>ok</html>' }],
      ['that is truncated', { status: 201, body: `{"sid":"${VERIFICATION_SID}","sta` }],
      ['that is a JSON array', { status: 201, body: '[]' }],
    ])('fails with provider_error on a 2xx %s', async (_, reply) => {
      httpService.reply(reply);

      const error = await failureOf(service.start({ to: TO, channel: 'sms', codeLength: 6 }));

      expect(error.failure).toBe('provider_error');
    });

    it('treats 20404 (unknown service) as a provider error', async () => {
      httpService.reply(twilioError(404, 20404, 'The requested resource was not found'));

      const error = await failureOf(service.start({ to: TO, channel: 'sms', codeLength: 6 }));

      expect(error.failure).toBe('provider_error');
      expect(error.detail).toMatchObject({ upstreamCode: 20404, upstreamStatus: 404 });
    });
  });

  describe('error mapping', () => {
    it.each<[string, Reply, VerificationProviderFailure]>([
      ['60200 about To', twilioError(400, 60200, 'Invalid parameter: To'), 'invalid_number'],
      [
        '60200 naming To differently',
        twilioError(400, 60200, 'Invalid parameter `To`: +4477...'),
        'invalid_number',
      ],
      ['60200 about Channel', twilioError(400, 60200, 'Invalid parameter: Channel'), 'provider_error'],
      [
        '60200 about a word starting with To',
        twilioError(400, 60200, 'Invalid parameter: Token'),
        'provider_error',
      ],
      ['60200 without a message', json(400, { code: 60200, status: 400 }), 'provider_error'],
      ['60205', twilioError(403, 60205, 'SMS is not supported by landline phone number'), 'channel_refused'],
      ['60605', twilioError(403, 60605, 'Verification delivery attempt blocked'), 'country_not_allowed'],
      ['60410', twilioError(403, 60410, 'Verification delivery attempt blocked'), 'destination_blocked'],
      ['60412', twilioError(403, 60412, 'Suspicious activity'), 'destination_blocked'],
      ['60203', twilioError(429, 60203, 'Max send attempts reached'), 'send_limit'],
      ['60202', twilioError(429, 60202, 'Max check attempts reached'), 'too_many_attempts'],
      ['60212', twilioError(429, 60212, 'Too many concurrent requests for phone number'), 'rate_limited'],
      ['a code given as a string', twilioError(403, '60205'), 'channel_refused'],
      ['20003', twilioError(401, 20003, 'Authenticate'), 'provider_error'],
      ['an unknown code', twilioError(400, 60999, 'Something new'), 'provider_error'],
      ['a 5xx even with a known code', twilioError(503, 60203, 'Service unavailable'), 'provider_error'],
      [
        'a 500 that is not JSON',
        { status: 500, body: '<html>Internal Server Error</html>' },
        'provider_error',
      ],
      ['a 4xx that is not JSON', { status: 400, body: 'Bad Request' }, 'provider_error'],
      ['a truncated error body', { status: 400, body: '{"code":60205,"mess' }, 'provider_error'],
      ['a redirect', { status: 302, body: '' }, 'provider_error'],
    ])('maps %s', async (_, reply, failure) => {
      httpService.reply(reply);

      const error = await failureOf(service.start({ to: TO, channel: 'sms', codeLength: 6 }));

      expect(error.failure).toBe(failure);
      expect(httpService.requests).toHaveLength(1);
    });

    it('carries the upstream code, status and Retry-After', async () => {
      httpService.reply(twilioError(429, 60212, 'Too many concurrent requests', { 'retry-after': '30' }));

      const error = await failureOf(service.start({ to: TO, channel: 'sms', codeLength: 6 }));

      expect(error.failure).toBe('rate_limited');
      expect(error.detail).toEqual({ upstreamCode: 60212, upstreamStatus: 429, retryAfterSeconds: 30 });
    });

    it('logs bad credentials loudly at error level without the credentials', async () => {
      httpService.reply(twilioError(401, 20003, 'Authenticate'));

      await expect(service.start({ to: TO, channel: 'sms', codeLength: 6 })).rejects.toMatchObject({
        failure: 'provider_error',
        detail: { upstreamCode: 20003, upstreamStatus: 401 },
      });

      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/^error: .*20003/);
    });

    it.each<[string, VerificationProviderFailure]>([
      ['ECONNABORTED', 'timeout'],
      ['ETIMEDOUT', 'timeout'],
      [AxiosError.ERR_CANCELED, 'timeout'],
      ['ECONNRESET', 'provider_error'],
      ['ECONNREFUSED', 'provider_error'],
      [AxiosError.ERR_BAD_RESPONSE, 'provider_error'],
    ])('maps the network failure %s to %s without retrying', async (code, failure) => {
      httpService.reply({ networkError: code });

      const error = await failureOf(service.start({ to: TO, channel: 'sms', codeLength: 6 }));

      expect(error.failure).toBe(failure);
      expect(httpService.requests).toHaveLength(1);
      expect(sleep).not.toHaveBeenCalled();
    });

    it('gives every request a live abort signal of its own, retries included', async () => {
      httpService.reply(tooManyRequests, created, json(200, { status: 'approved' }), json(200, {}));

      await service.start({ to: TO, channel: 'sms', codeLength: 6 });
      await service.check({ to: TO, code: CODE, reference: VERIFICATION_SID });
      await service.cancel({ to: TO, reference: VERIFICATION_SID });

      const signals = httpService.requests.map((request) => request.config.signal);
      expect(signals).toHaveLength(4);
      for (const signal of signals) {
        expect(signal).toBeInstanceOf(AbortSignal);
        expect(signal?.aborted).toBe(false);
      }
      expect(new Set(signals).size).toBe(4);
    });

    it.each([
      [
        'start',
        (provider: TwilioVerifyV2Service) => provider.start({ to: TO, channel: 'sms', codeLength: 6 }),
      ],
      ['check', (provider: TwilioVerifyV2Service) => provider.check({ to: TO, code: CODE })],
      [
        'cancel',
        (provider: TwilioVerifyV2Service) => provider.cancel({ to: TO, reference: VERIFICATION_SID }),
      ],
    ])('ends a %s that never completes with timeout once the timeout has passed', async (_, call) => {
      const quick = await createService(50);
      httpService.reply({ hangUntilAborted: true });
      const startedAt = Date.now();

      const error = await failureOf(call(quick));

      expect(error.failure).toBe('timeout');
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(40);
      expect(httpService.requests).toHaveLength(1);
      expect(logged).toContainEqual(expect.stringMatching(/^warn: .*timeout \(ERR_CANCELED\)/));
    });

    it.each<[string, number | undefined]>([
      ['Wed, 21 Oct 2015 07:28:00 GMT', 0],
      ['Tue, 01 Jan 2030 00:01:30 GMT', 90],
      [' 12 ', 12],
      ['1.5', undefined],
      ['soon', undefined],
    ])('reads Retry-After %p as %p seconds', async (header, seconds) => {
      jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2030-01-01T00:00:00Z'));
      httpService.reply(twilioError(429, 60212, 'Too many concurrent requests', { 'Retry-After': header }));

      const error = await failureOf(service.start({ to: TO, channel: 'sms', codeLength: 6 }));

      expect(error.detail.retryAfterSeconds).toBe(seconds);
    });

    it('rethrows anything that is not an AxiosError', async () => {
      const bug = new TypeError('a bug');
      httpService.reply({ thrown: bug });

      await expect(service.start({ to: TO, channel: 'sms', codeLength: 6 })).rejects.toBe(bug);
    });

    it('keeps secrets, the code, the number and the upstream text out of errors and logs', async () => {
      const upstreamText = `Invalid parameter To: ${TO.e164} for ${ACCOUNT_SID}`;
      httpService.reply(
        twilioError(400, 60200, upstreamText),
        twilioError(401, 20003, 'Authenticate'),
        twilioError(429, 60202, 'Max check attempts reached'),
        { networkError: 'ECONNRESET' },
      );

      const errors = [
        await failureOf(service.start({ to: TO, channel: 'sms', codeLength: 6 })),
        await failureOf(service.start({ to: TO, channel: 'sms', codeLength: 6 })),
        await failureOf(service.check({ to: TO, code: CODE, reference: VERIFICATION_SID })),
        await failureOf(service.check({ to: TO, code: CODE })),
      ];

      expect(errors.map((error) => error.failure)).toEqual([
        'invalid_number',
        'provider_error',
        'too_many_attempts',
        'provider_error',
      ]);
      expect(logged).toHaveLength(4);
      const text = [
        ...logged,
        ...errors.map((error) => `${error.message} ${JSON.stringify(error.detail)}`),
      ].join('\n');
      for (const secret of [
        AUTH_TOKEN,
        ACCOUNT_SID,
        CODE,
        TO.e164,
        TO.nationalNumber,
        'Invalid parameter',
        'Max',
      ]) {
        expect(text).not.toContain(secret);
      }
    });
  });

  describe('check', () => {
    it('posts VerificationSid and Code to VerificationCheck', async () => {
      httpService.reply(json(200, { sid: VERIFICATION_SID, status: 'approved', valid: true }));

      await expect(service.check({ to: TO, code: CODE, reference: VERIFICATION_SID })).resolves.toBe(
        'approved',
      );

      expect(httpService.requests).toEqual([
        expect.objectContaining({
          method: 'POST',
          url: `Services/${SERVICE_SID}/VerificationCheck`,
          form: { VerificationSid: VERIFICATION_SID, Code: CODE },
        }),
      ]);
    });

    it('falls back to To when there is no reference', async () => {
      httpService.reply(json(200, { status: 'approved', valid: true }));

      await expect(service.check({ to: TO, code: CODE })).resolves.toBe('approved');

      expect(httpService.requests[0].form).toEqual({ To: '+447700900123', Code: CODE });
    });

    it.each([
      ['pending', 'wrong_code'],
      ['canceled', 'not_found'],
      ['expired', 'not_found'],
      ['max_attempts_reached', 'not_found'],
      ['deleted', 'not_found'],
      ['failed', 'not_found'],
    ])('answers a 2xx with status %s as %s', async (status, outcome) => {
      httpService.reply(json(200, { status, valid: false }));

      await expect(service.check({ to: TO, code: CODE, reference: VERIFICATION_SID })).resolves.toBe(outcome);
    });

    it.each([
      ['an unknown status', 'something_new'],
      ['a status in another case', 'APPROVED'],
      ['an empty status', ''],
      ['an inherited property name', 'constructor'],
      ['a status that is not a string', true],
    ])('fails with provider_error on a 2xx with %s', async (_, status) => {
      httpService.reply(json(200, { status, valid: true }));

      await expect(service.check({ to: TO, code: CODE, reference: VERIFICATION_SID })).rejects.toMatchObject({
        failure: 'provider_error',
        detail: { upstreamStatus: 200 },
      });
    });

    it.each([
      ['20404', twilioError(404, 20404, 'The requested resource was not found')],
      ['a 404 without a body', { status: 404, body: '' }],
      ['20404 with another status', twilioError(400, 20404)],
    ])('answers not_found on %s', async (_, reply) => {
      httpService.reply(reply);

      await expect(service.check({ to: TO, code: CODE, reference: VERIFICATION_SID })).resolves.toBe(
        'not_found',
      );
    });

    it('fails with provider_error on a 2xx without a status', async () => {
      httpService.reply(json(200, { valid: true }));

      await expect(service.check({ to: TO, code: CODE, reference: VERIFICATION_SID })).rejects.toMatchObject({
        failure: 'provider_error',
      });
    });

    it('fails with provider_error on a 5xx', async () => {
      httpService.reply(twilioError(500, 20500, 'Internal error'));

      await expect(service.check({ to: TO, code: CODE, reference: VERIFICATION_SID })).rejects.toMatchObject({
        failure: 'provider_error',
        detail: { upstreamStatus: 500 },
      });
      expect(httpService.requests).toHaveLength(1);
    });
  });

  describe('cancel', () => {
    it('posts Status=canceled to the verification', async () => {
      httpService.reply(json(200, { sid: VERIFICATION_SID, status: 'canceled' }));

      await expect(service.cancel({ to: TO, reference: VERIFICATION_SID })).resolves.toBeUndefined();

      expect(httpService.requests).toEqual([
        expect.objectContaining({
          method: 'POST',
          url: `Services/${SERVICE_SID}/Verifications/${VERIFICATION_SID}`,
          form: { Status: 'canceled' },
        }),
      ]);
    });

    it('makes no call without a reference', async () => {
      await expect(service.cancel({ to: TO })).resolves.toBeUndefined();

      expect(httpService.requests).toHaveLength(0);
    });

    it('resolves when the verification is already gone', async () => {
      httpService.reply(twilioError(404, 20404, 'The requested resource was not found'));

      await expect(service.cancel({ to: TO, reference: VERIFICATION_SID })).resolves.toBeUndefined();
    });

    it('throws on other failures', async () => {
      httpService.reply(twilioError(503, 20503, 'Service unavailable'));

      await expect(service.cancel({ to: TO, reference: VERIFICATION_SID })).rejects.toMatchObject({
        failure: 'provider_error',
      });
    });
  });

  describe('retries', () => {
    it('retries a 20429 twice with jittered, growing back-off and succeeds on the third call', async () => {
      httpService.reply(tooManyRequests, tooManyRequests, created);

      await expect(service.start({ to: TO, channel: 'sms', codeLength: 6 })).resolves.toEqual({
        reference: VERIFICATION_SID,
      });

      expect(httpService.requests).toHaveLength(3);
      expect(sleep).toHaveBeenCalledTimes(2);
      const [[first], [second]] = sleep.mock.calls;
      expect(first).toBeGreaterThanOrEqual(100);
      expect(first).toBeLessThanOrEqual(300);
      expect(second).toBeGreaterThanOrEqual(200);
      expect(second).toBeLessThanOrEqual(600);
    });

    it('gives rate_limited after three calls', async () => {
      httpService.reply(
        tooManyRequests,
        tooManyRequests,
        twilioError(429, 20429, 'Too many', { 'retry-after': '1' }),
      );

      const error = await failureOf(service.start({ to: TO, channel: 'sms', codeLength: 6 }));

      expect(error.failure).toBe('rate_limited');
      expect(error.detail).toEqual({ upstreamCode: 20429, upstreamStatus: 429, retryAfterSeconds: 1 });
      expect(httpService.requests).toHaveLength(3);
    });

    it('honours a small Retry-After', async () => {
      httpService.reply(twilioError(429, 20429, 'Too many', { 'retry-after': '1' }), created);

      await expect(service.start({ to: TO, channel: 'sms', codeLength: 6 })).resolves.toEqual({
        reference: VERIFICATION_SID,
      });

      expect(sleep).toHaveBeenCalledWith(1000);
    });

    it('does not retry when Retry-After asks for more than a second', async () => {
      httpService.reply(twilioError(429, 20429, 'Too many', { 'retry-after': '30' }));

      await expect(service.start({ to: TO, channel: 'sms', codeLength: 6 })).rejects.toMatchObject({
        failure: 'rate_limited',
        detail: { retryAfterSeconds: 30 },
      });
      expect(httpService.requests).toHaveLength(1);
    });

    it('retries checks and cancels too', async () => {
      httpService.reply(tooManyRequests, json(200, { status: 'approved' }), tooManyRequests, json(200, {}));

      await expect(service.check({ to: TO, code: CODE, reference: VERIFICATION_SID })).resolves.toBe(
        'approved',
      );
      await expect(service.cancel({ to: TO, reference: VERIFICATION_SID })).resolves.toBeUndefined();

      expect(httpService.requests.map((request) => request.url)).toEqual([
        `Services/${SERVICE_SID}/VerificationCheck`,
        `Services/${SERVICE_SID}/VerificationCheck`,
        `Services/${SERVICE_SID}/Verifications/${VERIFICATION_SID}`,
        `Services/${SERVICE_SID}/Verifications/${VERIFICATION_SID}`,
      ]);
    });

    it.each<[string, Reply]>([
      ['a 5xx', twilioError(503, 20503, 'Service unavailable')],
      ['a 429 with another code', twilioError(429, 60203, 'Max send attempts reached')],
      ['a 429 without a code', { status: 429, body: 'Too Many Requests' }],
      ['a timeout', { networkError: 'ECONNABORTED' }],
      ['a reset', { networkError: 'ECONNRESET' }],
    ])('does not retry %s', async (_, reply) => {
      httpService.reply(reply, reply, created, created);

      await expect(service.start({ to: TO, channel: 'sms', codeLength: 6 })).rejects.toBeInstanceOf(
        VerificationProviderError,
      );
      await expect(service.check({ to: TO, code: CODE, reference: VERIFICATION_SID })).rejects.toBeInstanceOf(
        VerificationProviderError,
      );

      expect(httpService.requests).toHaveLength(2);
      expect(sleep).not.toHaveBeenCalled();
    });
  });
});

describe('TwilioVerifyV2Module', () => {
  it('configures one HTTP client with the base URL, Basic auth, timeout, body limits and keep-alive agents', async () => {
    const restore = setEnv({ ...v2Env, TWILIO_VERIFY_V2_BASE_URL: 'https://verify.example.test/v2' });
    try {
      const moduleRef = await compileModule();
      const defaults = moduleRef.get(HttpService).axiosRef.defaults;

      expect(defaults.baseURL).toBe('https://verify.example.test/v2/');
      expect(defaults.auth).toEqual({ username: ACCOUNT_SID, password: AUTH_TOKEN });
      expect(defaults.timeout).toBe(5000);
      expect(defaults.maxRedirects).toBe(0);
      expect(defaults.maxContentLength).toBe(64 * 1024);
      expect(defaults.maxBodyLength).toBe(64 * 1024);
      expect(defaults.httpAgent).toBeInstanceOf(http.Agent);
      expect(defaults.httpAgent).toMatchObject({ keepAlive: true, maxSockets: 50 });
      expect(defaults.httpsAgent).toMatchObject({ keepAlive: true, maxSockets: 50 });
      expect(moduleRef.get(TwilioVerifyV2Service)).toBeInstanceOf(TwilioVerifyV2Service);
      await moduleRef.close();
    } finally {
      restore();
    }
  });

  it('destroys its keep-alive agents when the module closes', async () => {
    const restore = setEnv(v2Env);
    let moduleRef: TestingModule;
    try {
      moduleRef = await compileModule();
    } finally {
      restore();
    }
    const { httpAgent, httpsAgent } = moduleRef.get(HttpService).axiosRef.defaults;
    const destroyed = [
      jest.spyOn(httpAgent as http.Agent, 'destroy'),
      jest.spyOn(httpsAgent as https.Agent, 'destroy'),
    ];

    await moduleRef.close();

    for (const destroy of destroyed) expect(destroy).toHaveBeenCalledTimes(1);
  });
});

describe('against the fake Verify v2 server', () => {
  let fake: FakeVerifyV2Server;
  const modules: TestingModule[] = [];

  async function compile(overrides: Record<string, string> = {}): Promise<TwilioVerifyV2Service> {
    const restore = setEnv({
      ...v2Env,
      TWILIO_VERIFY_V2_BASE_URL: fake.baseUrl,
      VERIFY_TIMEOUT_MS: '300',
      ...overrides,
    });
    try {
      const moduleRef = await compileModule();
      modules.push(moduleRef);
      return moduleRef.get(TwilioVerifyV2Service);
    } finally {
      restore();
    }
  }

  beforeAll(async () => {
    fake = await FakeVerifyV2Server.start({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      serviceSid: SERVICE_SID,
    });
  });

  beforeEach(() => {
    fake.reset();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(modules.splice(0).map((moduleRef) => moduleRef.close()));
  });

  afterAll(async () => {
    await fake.close();
  });

  it('starts, refuses a wrong code, approves the right one, then no longer knows it', async () => {
    const service = await compile();

    const { reference } = await service.start({ to: TO, channel: 'sms', locale: 'en', codeLength: 6 });
    const code = fake.lastCodeFor(TO.e164);

    expect(reference).toMatch(/^VE[0-9a-f]{32}$/);
    expect(code).toMatch(/^\d{6}$/);
    expect(fake.sentMessages).toEqual([{ to: TO.e164, channel: 'sms', code, locale: 'en', sid: reference }]);
    const wrong = code === '000000' ? '111111' : '000000';
    await expect(service.check({ to: TO, code: wrong, reference })).resolves.toBe('wrong_code');
    await expect(service.check({ to: TO, code: code!, reference })).resolves.toBe('approved');
    await expect(service.check({ to: TO, code: code!, reference })).resolves.toBe('not_found');
    expect(fake.checkRequests).toBe(3);
  });

  it('keeps the same sid and code on a repeated start', async () => {
    const service = await compile();

    const first = await service.start({ to: TO, channel: 'sms', codeLength: 6 });
    const second = await service.start({ to: TO, channel: 'call', codeLength: 6 });

    expect(second.reference).toBe(first.reference);
    expect(fake.sentMessages).toHaveLength(2);
    expect(fake.sentMessages[1].code).toBe(fake.sentMessages[0].code);
    await expect(service.check({ to: TO, code: fake.lastCodeFor(TO.e164)! })).resolves.toBe('approved');
  });

  it('maps the sixth send to a number to send_limit', async () => {
    const service = await compile();
    for (let i = 0; i < 5; i++) await service.start({ to: TO, channel: 'sms', codeLength: 6 });

    await expect(service.start({ to: TO, channel: 'sms', codeLength: 6 })).rejects.toMatchObject({
      failure: 'send_limit',
    });
  });

  it('maps a number that is not E.164 to invalid_number', async () => {
    const service = await compile();

    await expect(
      service.start({ to: { ...TO, e164: '07700900123' }, channel: 'sms', codeLength: 6 }),
    ).rejects.toMatchObject({ failure: 'invalid_number', detail: { upstreamCode: 60200 } });
  });

  it('gives provider_error with wrong Basic auth', async () => {
    const service = await compile({ TWILIO_AUTH_TOKEN: 'not-the-token' });

    await expect(service.start({ to: TO, channel: 'sms', codeLength: 6 })).rejects.toMatchObject({
      failure: 'provider_error',
      detail: { upstreamCode: 20003, upstreamStatus: 401 },
    });
    expect(fake.sentMessages).toHaveLength(0);
  });

  it('gives timeout when the server hangs', async () => {
    const service = await compile();
    fake.failNext('hang');

    await expect(service.start({ to: TO, channel: 'sms', codeLength: 6 })).rejects.toMatchObject({
      failure: 'timeout',
    });
  });

  it.each<[string, VerificationProviderFailure, (response: http.ServerResponse) => void]>([
    ['trickles its body past the timeout', 'timeout', trickle],
    [
      'sends a verification over 64 KiB',
      'provider_error',
      (response) => {
        response.writeHead(201, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ sid: VERIFICATION_SID, padding: 'x'.repeat(70 * 1024) }));
      },
    ],
  ])('when the server %s, gives %s', async (_, failure, respond) => {
    const server = await startRawServer(respond);
    try {
      const service = await compile({ TWILIO_VERIFY_V2_BASE_URL: server.baseUrl });
      const startedAt = Date.now();

      const error = await failureOf(service.start({ to: TO, channel: 'sms', codeLength: 6 }));

      expect(error.failure).toBe(failure);
      expect(Date.now() - startedAt).toBeLessThan(2000);
    } finally {
      await Promise.all(modules.splice(0).map((moduleRef) => moduleRef.close()));
      await server.close();
    }
  });

  it.each([
    ['a 500', 'status500'],
    ['garbage', 'garbage'],
    ['a reset connection', 'reset'],
  ] as const)('gives provider_error on %s without retrying', async (_, mode) => {
    const service = await compile();
    fake.failNext(mode);

    await expect(service.start({ to: TO, channel: 'sms', codeLength: 6 })).rejects.toMatchObject({
      failure: 'provider_error',
    });
    expect(fake.sentMessages).toHaveLength(0);
    await expect(service.start({ to: TO, channel: 'sms', codeLength: 6 })).resolves.toHaveProperty(
      'reference',
    );
  });

  it('still starts after one 20429 thanks to the retry', async () => {
    const service = await compile();
    fake.failNext({ status: 429, code: 20429, message: 'Too Many Requests' });

    await expect(service.start({ to: TO, channel: 'sms', codeLength: 6 })).resolves.toHaveProperty(
      'reference',
    );
    expect(fake.sentMessages).toHaveLength(1);
  });

  it('accepts the whatsapp channel', async () => {
    const service = await compile();

    await expect(service.start({ to: TO, channel: 'whatsapp', codeLength: 6 })).resolves.toHaveProperty(
      'reference',
    );
    expect(fake.sentMessages[0].channel).toBe('whatsapp');
  });

  it('cancels, after which a check is not_found', async () => {
    const service = await compile();
    const { reference } = await service.start({ to: TO, channel: 'sms', codeLength: 6 });

    await expect(service.cancel({ to: TO, reference })).resolves.toBeUndefined();

    expect(fake.cancelRequests).toEqual([reference]);
    await expect(service.check({ to: TO, code: fake.lastCodeFor(TO.e164)!, reference })).resolves.toBe(
      'not_found',
    );
    await expect(service.cancel({ to: TO, reference })).resolves.toBeUndefined();
  });

  it('forgets a verification after 10 minutes', async () => {
    const service = await compile();
    const { reference } = await service.start({ to: TO, channel: 'sms', codeLength: 6 });
    fake.advanceTime(10 * 60 * 1000);

    await expect(service.check({ to: TO, code: fake.lastCodeFor(TO.e164)!, reference })).resolves.toBe(
      'not_found',
    );
  });

  it('ends a verification after five wrong checks with too_many_attempts', async () => {
    const service = await compile();
    const { reference } = await service.start({ to: TO, channel: 'sms', codeLength: 6 });
    const code = fake.lastCodeFor(TO.e164)!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      await expect(service.check({ to: TO, code: wrong, reference })).resolves.toBe('wrong_code');
    }

    await expect(service.check({ to: TO, code, reference })).rejects.toMatchObject({
      failure: 'too_many_attempts',
    });
    await expect(service.check({ to: TO, code, reference })).resolves.toBe('not_found');
  });
});
