import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { HttpService } from '@nestjs/axios';
import { Logger } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { Test, TestingModule } from '@nestjs/testing';
import { AxiosError, AxiosHeaders, AxiosRequestConfig, AxiosResponse, CanceledError } from 'axios';
import { Observable, of, throwError } from 'rxjs';
import { FakeVerifyV1Server } from '../../../test/fakes/fake-verify-v1.server';
import { verifyConfig } from '../../config/verify.config';
import { TwilioVerifyModule } from './twilio-verify.module';
import { TwilioVerifyService } from './twilio-verify.service';
import {
  CheckVerificationRequest,
  StartVerificationRequest,
  VerificationProviderError,
  VerificationProviderFailure,
} from './verification-provider.interface';
import { verifyConfigWith } from '../../../test/utils/verify-config';

const API_KEY = 'authy-test-key-0123456789';
const START_PATH = 'protected/json/phones/verification/start';
const CHECK_PATH = 'protected/json/phones/verification/check';
const to = { e164: '+447123456789', countryCode: '44', nationalNumber: '7123456789' };
const startRequest: StartVerificationRequest = { to, channel: 'sms', codeLength: 6 };
const checkRequest: CheckVerificationRequest = { to, code: '123456' };
const UPSTREAM_MESSAGE = 'Upstream says something about +44 7123456789';

function configWith(
  v1: { baseUrl: string; apiKey: string },
  timeoutMs = 5000,
): ConfigType<typeof verifyConfig> {
  return verifyConfigWith({ provider: 'twilio-v1', v1, timeoutMs });
}

/** The module with the application's global ConfigModule, the verify settings replaced by `config`. */
function compileModule(config: ConfigType<typeof verifyConfig>): Promise<TestingModule> {
  return Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, load: [verifyConfig], ignoreEnvFile: true }),
      TwilioVerifyModule,
    ],
  })
    .overrideProvider(verifyConfig.KEY)
    .useValue(config)
    .compile();
}

function reply(status: number, body: unknown, headers: Record<string, string> = {}): AxiosResponse<string> {
  return {
    status,
    statusText: '',
    headers,
    config: { headers: new AxiosHeaders() },
    data: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

function upstreamError(errorCode: string | number): Record<string, unknown> {
  return {
    error_code: errorCode,
    message: UPSTREAM_MESSAGE,
    errors: { message: UPSTREAM_MESSAGE },
    success: false,
  };
}

function networkError(code: string): AxiosError {
  return new AxiosError(`network failure ${code}`, code);
}

async function failureOf(promise: Promise<unknown>): Promise<VerificationProviderError> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(VerificationProviderError);
  return error as VerificationProviderError;
}

class FakeHttpService {
  readonly request = jest.fn<Observable<AxiosResponse<string>>, [AxiosRequestConfig]>();

  answer(...outcomes: Array<AxiosResponse<string> | Error>): void {
    for (const outcome of outcomes) {
      this.request.mockImplementationOnce(() =>
        outcome instanceof Error ? throwError(() => outcome) : of(outcome),
      );
    }
  }

  /** Like axios on a request that never gets its answer: nothing until the request's signal aborts it. */
  hangUntilAborted(): void {
    this.request.mockImplementationOnce(
      (config) =>
        new Observable<AxiosResponse<string>>((subscriber) => {
          const signal = config.signal as AbortSignal | undefined;
          const abort = () => subscriber.error(new CanceledError(undefined, undefined, config));
          signal?.addEventListener('abort', abort);
          return () => signal?.removeEventListener('abort', abort);
        }),
    );
  }

  lastRequest(): AxiosRequestConfig {
    expect(this.request).toHaveBeenCalled();
    return this.request.mock.calls[this.request.mock.calls.length - 1][0];
  }
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
    baseUrl: `http://127.0.0.1:${port}/`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Answers at once with headers and the start of a success, then a byte every 50 ms; completes after 3 s. */
function trickle(response: http.ServerResponse): void {
  response.writeHead(200, { 'Content-Type': 'application/json' });
  response.write('{"success":true');
  const timer = setInterval(() => response.write(' '), 50);
  const end = setTimeout(() => response.end('}'), 3000);
  response.on('close', () => {
    clearInterval(timer);
    clearTimeout(end);
  });
}

describe('TwilioVerifyService', () => {
  let httpFake: FakeHttpService;
  let service: TwilioVerifyService;

  async function createService(timeoutMs = 5000): Promise<TwilioVerifyService> {
    const moduleRef = await Test.createTestingModule({
      providers: [
        TwilioVerifyService,
        { provide: HttpService, useValue: httpFake },
        {
          provide: verifyConfig.KEY,
          useValue: configWith({ baseUrl: 'https://authy.test/', apiKey: API_KEY }, timeoutMs),
        },
      ],
    }).compile();
    return moduleRef.get(TwilioVerifyService);
  }

  beforeEach(async () => {
    httpFake = new FakeHttpService();
    httpFake.request.mockImplementation(() => {
      throw new Error('unexpected HTTP request');
    });
    service = await createService();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('names itself and its channels', () => {
    expect(service.name).toBe('twilio-v1');
    expect(service.channels).toEqual(['sms', 'call']);
  });

  describe('start', () => {
    it('posts the form-encoded start request and returns no reference', async () => {
      httpFake.answer(
        reply(200, { carrier: 'AT&T Wireless', seconds_to_expire: 599, uuid: 'b8eb', success: true }),
      );

      await expect(service.start({ ...startRequest, locale: 'pt-BR' })).resolves.toEqual({});

      const request = httpFake.lastRequest();
      expect(request).toMatchObject({
        method: 'POST',
        url: START_PATH,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        responseType: 'text',
      });
      expect(request.data).toBeInstanceOf(URLSearchParams);
      expect(Object.fromEntries(request.data as URLSearchParams)).toEqual({
        via: 'sms',
        country_code: '44',
        phone_number: '7123456789',
        code_length: '6',
        locale: 'pt-BR',
      });
    });

    it('sends no locale when none is given, and the call channel as via=call', async () => {
      httpFake.answer(reply(200, { success: true }));

      await expect(service.start({ ...startRequest, channel: 'call' })).resolves.toEqual({});

      const form = httpFake.lastRequest().data as URLSearchParams;
      expect(form.get('via')).toBe('call');
      expect(form.has('locale')).toBe(false);
    });

    it('refuses a channel v1 does not have without calling upstream', async () => {
      const error = await failureOf(service.start({ ...startRequest, channel: 'whatsapp' }));

      expect(error.failure).toBe('channel_refused');
      expect(httpFake.request).not.toHaveBeenCalled();
    });

    it.each(['ECONNREFUSED', 'ENOTFOUND', 'ECONNABORTED', 'ECONNRESET'])(
      'is never retried (%s)',
      async (code) => {
        httpFake.answer(networkError(code), reply(200, { success: true }));

        await expect(service.start(startRequest)).rejects.toBeInstanceOf(VerificationProviderError);

        expect(httpFake.request).toHaveBeenCalledTimes(1);
      },
    );
  });

  describe('check', () => {
    it('sends the GET check request with the code as a query parameter', async () => {
      httpFake.answer(reply(200, { message: 'Verification code is correct.', success: true }));

      await expect(service.check(checkRequest)).resolves.toBe('approved');

      expect(httpFake.lastRequest()).toMatchObject({
        method: 'GET',
        url: CHECK_PATH,
        params: { country_code: '44', phone_number: '7123456789', verification_code: '123456' },
        responseType: 'text',
      });
      expect(httpFake.lastRequest().data).toBeUndefined();
    });

    it.each([
      [401, '60022', 'wrong_code'],
      [401, 60022, 'wrong_code'],
      [404, '60023', 'not_found'],
      [404, 60023, 'not_found'],
    ])('answers HTTP %i error_code %p as %s', async (status, errorCode, outcome) => {
      httpFake.answer(reply(status, upstreamError(errorCode)));

      await expect(service.check(checkRequest)).resolves.toBe(outcome);
    });

    it('is retried once when the connection was refused before sending', async () => {
      httpFake.answer(networkError('ECONNREFUSED'), reply(200, { success: true }));

      await expect(service.check(checkRequest)).resolves.toBe('approved');

      expect(httpFake.request).toHaveBeenCalledTimes(2);
    });

    it.each(['ENOTFOUND', 'EAI_AGAIN'])('is retried once on %s, and only once', async (code) => {
      httpFake.answer(networkError(code), networkError(code), reply(200, { success: true }));

      const error = await failureOf(service.check(checkRequest));

      expect(error.failure).toBe('provider_error');
      expect(httpFake.request).toHaveBeenCalledTimes(2);
    });

    it.each([
      ['ECONNABORTED', 'timeout'],
      ['ETIMEDOUT', 'timeout'],
      ['ERR_CANCELED', 'timeout'],
      ['ECONNRESET', 'provider_error'],
    ])('is not retried after %s (%s)', async (code, failure) => {
      httpFake.answer(networkError(code), reply(200, { success: true }));

      const error = await failureOf(service.check(checkRequest));

      expect(error.failure).toBe(failure);
      expect(httpFake.request).toHaveBeenCalledTimes(1);
    });
  });

  describe('cancel', () => {
    it('resolves without any HTTP call', async () => {
      await expect(service.cancel({ to })).resolves.toBeUndefined();

      expect(httpFake.request).not.toHaveBeenCalled();
    });
  });

  describe('total deadline', () => {
    it('gives every request a live abort signal, a fresh one for the retried check', async () => {
      httpFake.answer(
        reply(200, { success: true }),
        networkError('ECONNREFUSED'),
        reply(200, { success: true }),
      );

      await service.start(startRequest);
      await service.check(checkRequest);

      const signals = httpFake.request.mock.calls.map(([config]) => config.signal);
      expect(signals).toHaveLength(3);
      for (const signal of signals) {
        expect(signal).toBeInstanceOf(AbortSignal);
        expect(signal?.aborted).toBe(false);
      }
      expect(new Set(signals).size).toBe(3);
    });

    it.each([
      ['start', (provider: TwilioVerifyService) => provider.start(startRequest)],
      ['check', (provider: TwilioVerifyService) => provider.check(checkRequest)],
    ])('ends a %s that never completes with timeout once the timeout has passed', async (_, call) => {
      const quick = await createService(50);
      httpFake.hangUntilAborted();
      const startedAt = Date.now();

      const error = await failureOf(call(quick));

      expect(error.failure).toBe('timeout');
      expect(error.detail.upstreamCode).toBe('ERR_CANCELED');
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(40);
      expect(httpFake.request).toHaveBeenCalledTimes(1);
    });
  });

  describe.each([
    ['start', () => service.start(startRequest)],
    ['check', () => service.check(checkRequest)],
  ])('%s failures', (_operation, call: () => Promise<unknown>) => {
    it.each<[string | number, number, VerificationProviderFailure]>([
      ['60033', 400, 'invalid_number'],
      ['60078', 403, 'invalid_number'],
      ['60083', 403, 'invalid_number'],
      [60083, 403, 'invalid_number'],
      ['60082', 403, 'channel_refused'],
      ['60003', 429, 'rate_limited'],
      ['60001', 401, 'provider_error'],
      ['60000', 400, 'provider_error'],
      ['60002', 400, 'provider_error'],
      ['60004', 400, 'provider_error'],
      ['60005', 400, 'provider_error'],
      ['60021', 400, 'provider_error'],
      ['60060', 400, 'provider_error'],
      ['60082', 503, 'provider_error'],
    ])('maps error_code %p (HTTP %i) to %s', async (errorCode, status, failure) => {
      httpFake.answer(reply(status, upstreamError(errorCode)));

      const error = await failureOf(call());

      expect(error.failure).toBe(failure);
      expect(error.detail).toMatchObject({ upstreamCode: String(errorCode), upstreamStatus: status });
    });

    it('passes the seconds of Retry-After on rate limiting', async () => {
      httpFake.answer(reply(429, upstreamError('60003'), { 'retry-after': '30' }));

      const error = await failureOf(call());

      expect(error.failure).toBe('rate_limited');
      expect(error.detail.retryAfterSeconds).toBe(30);
    });

    it.each<[string, number | undefined]>([
      ['Wed, 21 Oct 2015 07:28:00 GMT', 0],
      ['Tue, 01 Jan 2030 00:01:30 GMT', 90],
      [' 12 ', 12],
      ['1.5', undefined],
      ['soon', undefined],
    ])('reads Retry-After %p as %p seconds', async (header, seconds) => {
      jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2030-01-01T00:00:00Z'));
      httpFake.answer(reply(429, upstreamError('60003'), { 'Retry-After': header }));

      const error = await failureOf(call());

      expect(error.failure).toBe('rate_limited');
      expect(error.detail.retryAfterSeconds).toBe(seconds);
    });

    it('logs an invalid API key at error level', async () => {
      httpFake.answer(reply(401, upstreamError('60001')));

      await expect(call()).rejects.toBeInstanceOf(VerificationProviderError);

      expect(Logger.prototype.error).toHaveBeenCalledTimes(1);
      expect(jest.mocked(Logger.prototype.error).mock.calls[0][0]).toContain('60001');
    });

    it.each<[string, AxiosResponse<string>]>([
      ['a 200 with success:false', reply(200, { message: UPSTREAM_MESSAGE, success: false })],
      ['a 200 without success', reply(200, { message: UPSTREAM_MESSAGE })],
      ['a 500 with a JSON body', reply(500, upstreamError('60000'))],
      ['a 502 with an HTML body', reply(502, '<html><body>Bad Gateway</body></html>')],
      ['a 200 with an HTML body', reply(200, '<html><body>ok</body></html>')],
      ['a 200 with truncated JSON', reply(200, '{"message":"Text message sent","succ')],
      ['a 200 with a JSON array', reply(200, '[{"success":true}]')],
      ['a 200 with a JSON string', reply(200, '"success"')],
      ['an empty 200', reply(200, '')],
      ['a 404 without error_code', reply(404, { message: 'Not found' })],
      ['a redirect', reply(302, '')],
    ])('treats %s as provider_error', async (_label, response) => {
      httpFake.answer(response);

      const error = await failureOf(call());

      expect(error.failure).toBe('provider_error');
    });

    it.each(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED'])('treats %s as timeout', async (code) => {
      httpFake.answer(networkError(code));

      const error = await failureOf(call());

      expect(error.failure).toBe('timeout');
    });

    it('treats a connection reset as provider_error', async () => {
      httpFake.answer(networkError('ECONNRESET'));

      const error = await failureOf(call());

      expect(error.failure).toBe('provider_error');
    });

    it('rethrows errors that are not from axios', async () => {
      const bug = new TypeError('a bug');
      httpFake.answer(bug);

      await expect(call()).rejects.toBe(bug);
    });

    it('puts neither the number, the code nor upstream text in the error or the log', async () => {
      httpFake.answer(reply(401, upstreamError('60001')));

      const error = await failureOf(call());

      const logged = [
        ...jest.mocked(Logger.prototype.error).mock.calls,
        ...jest.mocked(Logger.prototype.warn).mock.calls,
      ];
      const exposed = JSON.stringify([error.message, error.detail, logged, Object.keys(error)]);
      for (const secret of ['7123456789', '123456', 'Upstream says', API_KEY]) {
        expect(exposed).not.toContain(secret);
      }
    });
  });
});

describe('TwilioVerifyModule', () => {
  it('configures one HTTP client with base URL, API key header, timeout, body limits and keep-alive agents', async () => {
    const moduleRef = await compileModule(
      configWith({ baseUrl: 'https://authy.example.test/', apiKey: API_KEY }, 1234),
    );
    try {
      const defaults = moduleRef.get(HttpService).axiosRef.defaults;

      expect(defaults.baseURL).toBe('https://authy.example.test/');
      expect(defaults.headers['X-Authy-API-Key']).toBe(API_KEY);
      expect(defaults.timeout).toBe(1234);
      expect(defaults.maxRedirects).toBe(0);
      expect(defaults.maxContentLength).toBe(64 * 1024);
      expect(defaults.maxBodyLength).toBe(64 * 1024);
      expect(defaults.httpAgent).toBeInstanceOf(http.Agent);
      expect(defaults.httpAgent).toMatchObject({ keepAlive: true, maxSockets: 50 });
      expect(defaults.httpsAgent).toBeInstanceOf(https.Agent);
      expect(defaults.httpsAgent).toMatchObject({ keepAlive: true, maxSockets: 50 });
      expect(moduleRef.get(TwilioVerifyService)).toBeInstanceOf(TwilioVerifyService);
    } finally {
      await moduleRef.close();
    }
  });

  it('destroys its keep-alive agents when the module closes', async () => {
    const moduleRef = await compileModule(
      configWith({ baseUrl: 'https://authy.example.test/', apiKey: API_KEY }),
    );
    const { httpAgent, httpsAgent } = moduleRef.get(HttpService).axiosRef.defaults;
    const destroyed = [
      jest.spyOn(httpAgent as http.Agent, 'destroy'),
      jest.spyOn(httpsAgent as https.Agent, 'destroy'),
    ];

    await moduleRef.close();

    for (const destroy of destroyed) expect(destroy).toHaveBeenCalledTimes(1);
  });
});

describe('against the fake Verify v1 server', () => {
  let fake: FakeVerifyV1Server;
  let moduleRef: TestingModule;
  let service: TwilioVerifyService;

  async function compile(apiKey: string): Promise<TestingModule> {
    return compileModule(configWith({ baseUrl: fake.baseUrl, apiKey }, 300));
  }

  beforeAll(async () => {
    fake = await FakeVerifyV1Server.start({ apiKey: API_KEY });
    moduleRef = await compile(API_KEY);
    service = moduleRef.get(TwilioVerifyService);
  });

  beforeEach(() => {
    fake.reset();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await moduleRef?.close();
    await fake?.close();
  });

  it('starts, refuses a wrong code, approves the right one once, then finds nothing pending', async () => {
    await expect(service.start({ ...startRequest, locale: 'en' })).resolves.toEqual({});

    const code = fake.lastCodeFor('44', '7123456789')!;
    expect(code).toMatch(/^\d{6}$/);
    expect(fake.sentMessages).toEqual([
      { via: 'sms', countryCode: '44', nationalNumber: '7123456789', code, locale: 'en', codeLength: 6 },
    ]);
    const wrongCode = code === '000000' ? '111111' : '000000';
    await expect(service.check({ to, code: wrongCode })).resolves.toBe('wrong_code');
    await expect(service.check({ to, code })).resolves.toBe('approved');
    await expect(service.check({ to, code })).resolves.toBe('not_found');
    expect(fake.checkRequests).toBe(3);
  });

  it('re-sends the same code on a repeated start', async () => {
    await expect(service.start(startRequest)).resolves.toEqual({});
    await expect(service.start({ ...startRequest, channel: 'call' })).resolves.toEqual({});

    expect(fake.sentMessages).toHaveLength(2);
    expect(fake.sentMessages[1].via).toBe('call');
    expect(fake.sentMessages[1].code).toBe(fake.sentMessages[0].code);
  });

  it('reports an invalid number', async () => {
    const error = await failureOf(
      service.start({ ...startRequest, to: { ...to, nationalNumber: '71234abc' } }),
    );

    expect(error.failure).toBe('invalid_number');
    expect(error.detail).toMatchObject({ upstreamCode: '60033', upstreamStatus: 400 });
  });

  it('gives timeout when the server hangs', async () => {
    fake.failNext('hang');
    const startedAt = Date.now();

    const error = await failureOf(service.start(startRequest));

    expect(error.failure).toBe('timeout');
    expect(Date.now() - startedAt).toBeLessThan(2000);
  });

  it.each<[string, VerificationProviderFailure, (response: http.ServerResponse) => void]>([
    ['trickles its body past the timeout', 'timeout', trickle],
    [
      'sends a success over 64 KiB',
      'provider_error',
      (response) => response.end(JSON.stringify({ success: true, padding: 'x'.repeat(70 * 1024) })),
    ],
  ])('when the server %s, gives %s', async (_, failure, respond) => {
    const server = await startRawServer(respond);
    const misbehaving = await compileModule(configWith({ baseUrl: server.baseUrl, apiKey: API_KEY }, 300));
    try {
      const startedAt = Date.now();

      const error = await failureOf(misbehaving.get(TwilioVerifyService).start(startRequest));

      expect(error.failure).toBe(failure);
      expect(Date.now() - startedAt).toBeLessThan(2000);
    } finally {
      await misbehaving.close();
      await server.close();
    }
  });

  it.each(['garbage', 'status500', 'successFalse'] as const)('gives provider_error on %s', async (mode) => {
    fake.failNext(mode);

    const error = await failureOf(service.start(startRequest));

    expect(error.failure).toBe('provider_error');
  });

  it('does not retry a check when the connection is reset after sending', async () => {
    fake.failNext('reset');

    const error = await failureOf(service.check(checkRequest));

    expect(error.failure).toBe('provider_error');
    expect(fake.checkRequests).toBe(1);
  });

  it('maps a queued upstream error', async () => {
    fake.failNext({ status: 403, errorCode: '60082' });

    const error = await failureOf(service.start(startRequest));

    expect(error.failure).toBe('channel_refused');
  });

  it('retries a check once, and a start never, when nothing listens', async () => {
    const closed = await FakeVerifyV1Server.start({ apiKey: API_KEY });
    const unreachableModule = await compileModule(
      configWith({ baseUrl: closed.baseUrl, apiKey: API_KEY }, 300),
    );
    await closed.close();
    try {
      const requests = jest.spyOn(unreachableModule.get(HttpService), 'request');
      const unreachable = unreachableModule.get(TwilioVerifyService);

      await expect(failureOf(unreachable.check(checkRequest))).resolves.toMatchObject({
        failure: 'provider_error',
        detail: { upstreamCode: 'ECONNREFUSED' },
      });
      expect(requests).toHaveBeenCalledTimes(2);
      requests.mockClear();
      await expect(failureOf(unreachable.start(startRequest))).resolves.toMatchObject({
        failure: 'provider_error',
      });
      expect(requests).toHaveBeenCalledTimes(1);
    } finally {
      await unreachableModule.close();
    }
  });

  it('sends the API key, and reports a refused one as provider_error', async () => {
    const wrongKeyModule = await compile('not-the-key');
    try {
      const error = await failureOf(wrongKeyModule.get(TwilioVerifyService).start(startRequest));

      expect(error.failure).toBe('provider_error');
      expect(error.detail).toMatchObject({ upstreamCode: '60001', upstreamStatus: 401 });
      expect(Logger.prototype.error).toHaveBeenCalledTimes(1);
      expect(fake.sentMessages).toHaveLength(0);
    } finally {
      await wrongKeyModule.close();
    }
  });
});
