import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

export interface FakeVerifyV2Options {
  accountSid: string;
  authToken: string;
  serviceSid: string;
}

export type FakeVerifyV2Failure =
  | 'status500'
  | 'garbage'
  | 'reset'
  | 'hang'
  | { status: number; code: number; message?: string; retryAfter?: number };

export interface FakeVerifyV2Message {
  to: string;
  channel: string;
  code: string;
  locale?: string;
  sid: string;
}

interface Verification {
  sid: string;
  to: string;
  channel: string;
  code: string;
  locale?: string;
  createdAt: number;
  updatedAt: number;
  wrongChecks: number;
  sendAttempts: Array<{ attempt_sid: string; channel: string; time: string }>;
}

const LIFETIME_MS = 10 * 60 * 1000;
const MAX_SENDS = 5;
const MAX_WRONG_CHECKS = 5;
const CODE_LENGTH = 6;
const MAX_BODY_BYTES = 64 * 1024;
const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CHANNELS = new Set(['sms', 'call', 'whatsapp', 'email']);

class FakeError {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly message: string,
    readonly retryAfter?: number,
  ) {}
}

/**
 * A local stand-in for Twilio Verify v2 for e2e tests: Basic auth, form-encoded PascalCase
 * bodies, the 10-minute lifetime, 5 sends per number and 5 wrong checks, and Twilio's error body.
 */
export class FakeVerifyV2Server {
  readonly sentMessages: FakeVerifyV2Message[] = [];
  checkRequests = 0;
  readonly cancelRequests: string[] = [];

  private readonly verifications = new Map<string, Verification>();
  private readonly sendTimes = new Map<string, number[]>();
  private readonly failures: FakeVerifyV2Failure[] = [];
  private readonly sockets = new Set<Socket>();
  private clockOffsetMs = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: FakeVerifyV2Options,
    readonly baseUrl: string,
  ) {}

  static async start(options: FakeVerifyV2Options): Promise<FakeVerifyV2Server> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeVerifyV2Server(server, options, `http://127.0.0.1:${port}/`);
    server.on('connection', (socket: Socket) => {
      fake.sockets.add(socket);
      socket.once('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) =>
      fake.handle(request, response),
    );
    return fake;
  }

  /** The code most recently sent to a number, whatever became of its verification. */
  lastCodeFor(e164: string): string | undefined {
    return this.sentMessages.filter((message) => message.to === e164).at(-1)?.code;
  }

  /** The next `count` requests of any kind fail this way instead of being served. */
  failNext(mode: FakeVerifyV2Failure, count = 1): void {
    for (let i = 0; i < count; i++) this.failures.push(mode);
  }

  /** Moves the fake's clock forward, e.g. past the 10-minute lifetime. */
  advanceTime(ms: number): void {
    this.clockOffsetMs += ms;
  }

  reset(): void {
    this.verifications.clear();
    this.sendTimes.clear();
    this.sentMessages.length = 0;
    this.checkRequests = 0;
    this.cancelRequests.length = 0;
    this.failures.length = 0;
    this.clockOffsetMs = 0;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let raw: string;
    try {
      raw = await readBody(request);
    } catch {
      request.socket.destroy();
      return;
    }
    const failure = this.failures.shift();
    if (failure !== undefined) {
      this.fail(failure, request, response);
      return;
    }
    try {
      const { status, body } = this.route(request, raw);
      send(response, status, body);
    } catch (error) {
      sendError(
        response,
        error instanceof FakeError
          ? error
          : new FakeError(500, 20500, 'An internal server error has occurred'),
      );
    }
  }

  private fail(failure: FakeVerifyV2Failure, request: IncomingMessage, response: ServerResponse): void {
    if (failure === 'hang') return;
    if (failure === 'reset') {
      request.socket.destroy();
      return;
    }
    if (failure === 'garbage') {
      response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      response.end('<html><body>502 Bad Gateway</body>');
      return;
    }
    if (failure === 'status500') {
      sendError(response, new FakeError(500, 20500, 'An internal server error has occurred'));
      return;
    }
    sendError(
      response,
      new FakeError(failure.status, failure.code, failure.message ?? 'Error', failure.retryAfter),
    );
  }

  private route(request: IncomingMessage, raw: string): { status: number; body: object } {
    if (!this.authorized(request.headers.authorization)) {
      throw new FakeError(401, 20003, 'Authenticate');
    }
    const path = new URL(request.url ?? '/', this.baseUrl).pathname;
    const match = /^\/Services\/([^/]+)\/(Verifications(?:\/([^/]+))?|VerificationCheck)$/.exec(path);
    if (!match || decodeURIComponent(match[1]) !== this.options.serviceSid) throw notFound(path);
    const [, , resource, verificationSid] = match;
    if (request.method === 'GET' && verificationSid !== undefined) {
      return { status: 200, body: this.fetch(decodeURIComponent(verificationSid), path) };
    }
    if (request.method !== 'POST') throw new FakeError(405, 20004, 'Method not allowed');
    const form = parseForm(request, raw);
    if (resource === 'VerificationCheck') return this.check(form, path);
    if (verificationSid !== undefined) return this.update(decodeURIComponent(verificationSid), form, path);
    return this.create(form);
  }

  private authorized(header: string | undefined): boolean {
    const expected = Buffer.from(
      `Basic ${Buffer.from(`${this.options.accountSid}:${this.options.authToken}`).toString('base64')}`,
    );
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private create(form: URLSearchParams): { status: number; body: object } {
    const to = form.get('To') ?? '';
    const channel = form.get('Channel') ?? '';
    if (!(channel === 'email' ? EMAIL.test(to) : E164.test(to))) {
      throw new FakeError(400, 60200, 'Invalid parameter: To');
    }
    if (!CHANNELS.has(channel)) throw new FakeError(400, 60200, 'Invalid parameter: Channel');
    const now = this.now();
    const recentSends = (this.sendTimes.get(to) ?? []).filter((time) => now - time < LIFETIME_MS);
    if (recentSends.length >= MAX_SENDS) throw new FakeError(429, 60203, 'Max send attempts reached');
    this.sendTimes.set(to, [...recentSends, now]);

    const locale = form.get('Locale') ?? undefined;
    let verification = this.pendingFor(to);
    if (!verification) {
      verification = {
        sid: twilioSid('VE'),
        to,
        channel,
        code: String(randomInt(0, 10 ** CODE_LENGTH)).padStart(CODE_LENGTH, '0'),
        createdAt: now,
        updatedAt: now,
        wrongChecks: 0,
        sendAttempts: [],
      };
      this.verifications.set(verification.sid, verification);
    }
    verification.channel = channel;
    verification.locale = locale;
    verification.updatedAt = now;
    verification.sendAttempts.push({ attempt_sid: twilioSid('VL'), channel, time: iso(now) });
    this.sentMessages.push({ to, channel, code: verification.code, locale, sid: verification.sid });
    return { status: 201, body: this.describe(verification, 'pending') };
  }

  private check(form: URLSearchParams, path: string): { status: number; body: object } {
    this.checkRequests++;
    const sid = form.get('VerificationSid');
    const to = form.get('To');
    const code = form.get('Code');
    if (sid === null && to === null) throw new FakeError(400, 60200, 'Invalid parameter: To');
    if (code === null || code === '') throw new FakeError(400, 60200, 'Invalid parameter: Code');
    const verification = sid !== null ? this.pending(sid) : this.pendingFor(to ?? '');
    if (!verification || (to !== null && verification.to !== to)) throw notFound(path);
    verification.updatedAt = this.now();
    if (verification.wrongChecks >= MAX_WRONG_CHECKS) {
      this.verifications.delete(verification.sid);
      throw new FakeError(429, 60202, 'Max check attempts reached');
    }
    if (code === verification.code) {
      this.verifications.delete(verification.sid);
      return { status: 200, body: this.describe(verification, 'approved') };
    }
    verification.wrongChecks++;
    return { status: 200, body: this.describe(verification, 'pending') };
  }

  private update(sid: string, form: URLSearchParams, path: string): { status: number; body: object } {
    const status = form.get('Status');
    if (status !== 'canceled' && status !== 'approved') {
      throw new FakeError(400, 60200, 'Invalid parameter: Status');
    }
    if (status === 'canceled') this.cancelRequests.push(sid);
    const verification = this.pending(sid);
    if (!verification) throw notFound(path);
    this.verifications.delete(sid);
    verification.updatedAt = this.now();
    return { status: 200, body: this.describe(verification, status) };
  }

  private fetch(sid: string, path: string): object {
    const verification = this.pending(sid);
    if (!verification) throw notFound(path);
    return this.describe(verification, 'pending');
  }

  private pending(sid: string): Verification | undefined {
    const verification = this.verifications.get(sid);
    if (verification && this.now() - verification.createdAt >= LIFETIME_MS) {
      this.verifications.delete(sid);
      return undefined;
    }
    return verification;
  }

  private pendingFor(to: string): Verification | undefined {
    for (const verification of [...this.verifications.values()]) {
      if (verification.to === to && this.pending(verification.sid)) return verification;
    }
    return undefined;
  }

  private describe(verification: Verification, status: 'pending' | 'approved' | 'canceled'): object {
    const { accountSid, serviceSid } = this.options;
    return {
      sid: verification.sid,
      service_sid: serviceSid,
      account_sid: accountSid,
      to: verification.to,
      channel: verification.channel,
      status,
      valid: status === 'approved',
      send_code_attempts: verification.sendAttempts,
      date_created: iso(verification.createdAt),
      date_updated: iso(verification.updatedAt),
      lookup: {},
      amount: null,
      payee: null,
      url: `https://verify.twilio.com/v2/Services/${serviceSid}/Verifications/${verification.sid}`,
    };
  }
}

function notFound(path: string): FakeError {
  return new FakeError(404, 20404, `The requested resource /v2${path} was not found`);
}

function parseForm(request: IncomingMessage, raw: string): URLSearchParams {
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  // Twilio reads only form fields: a JSON body leaves every parameter unset.
  if (type !== 'application/x-www-form-urlencoded') throw new FakeError(400, 60200, 'Invalid parameter');
  return new URLSearchParams(raw);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(
  response: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, error: FakeError): void {
  const headers: Record<string, string> = {};
  if (error.retryAfter !== undefined) headers['Retry-After'] = String(error.retryAfter);
  if (error.status === 401) headers['WWW-Authenticate'] = 'Basic realm="Twilio API"';
  send(
    response,
    error.status,
    {
      code: error.code,
      message: error.message,
      more_info: `https://www.twilio.com/docs/errors/${error.code}`,
      status: error.status,
    },
    headers,
  );
}

function twilioSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

function iso(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
