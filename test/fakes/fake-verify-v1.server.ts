import { randomInt, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/** How the next request(s) should fail, whatever they ask for. */
export type FakeVerifyV1Failure =
  'status500' | 'garbage' | 'reset' | 'hang' | 'successFalse' | { status: number; errorCode: string };

export interface FakeVerifyV1SentMessage {
  via: string;
  countryCode: string;
  nationalNumber: string;
  code: string;
  locale?: string;
  codeLength?: number;
}

interface PendingVerification {
  code: string;
  uuid: string;
  expiresAt: number;
}

const START_PATH = '/protected/json/phones/verification/start';
const CHECK_PATH = '/protected/json/phones/verification/check';
const PENDING_LIFETIME_MS = 10 * 60 * 1000;
const DEFAULT_CODE_LENGTH = 4;
const MAX_BODY_BYTES = 64 * 1024;

/**
 * A local Twilio Verify v1 (Authy) server speaking its wire format, for e2e tests.
 * Listens on 127.0.0.1 on a free port; `now` lets a test move the clock to expire pending codes.
 */
export class FakeVerifyV1Server {
  readonly sentMessages: FakeVerifyV1SentMessage[] = [];
  checkRequests = 0;

  private readonly pending = new Map<string, PendingVerification>();
  private readonly failures: FakeVerifyV1Failure[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(
    private readonly apiKey: string,
    private readonly now: () => number,
  ) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch(() => request.socket.destroy());
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: { apiKey: string; now?: () => number }): Promise<FakeVerifyV1Server> {
    const fake = new FakeVerifyV1Server(options.apiKey, options.now ?? Date.now);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => {
        fake.server.off('error', reject);
        resolve();
      });
    });
    return fake;
  }

  /** `http://127.0.0.1:PORT/`, with the trailing slash the config expects. */
  get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/`;
  }

  /** The code pending for this number, if any and not expired. */
  lastCodeFor(countryCode: string, nationalNumber: string): string | undefined {
    const key = pendingKey(
      digitsOnly(countryCode) ?? countryCode,
      digitsOnly(nationalNumber) ?? nationalNumber,
    );
    return this.livePending(key)?.code;
  }

  /** Makes the next `count` requests of any kind fail in the given way. */
  failNext(mode: FakeVerifyV1Failure, count = 1): void {
    for (let i = 0; i < count; i += 1) {
      this.failures.push(mode);
    }
  }

  /** Forgets pending verifications, recorded messages, counters and queued failures. */
  reset(): void {
    this.pending.clear();
    this.sentMessages.length = 0;
    this.checkRequests = 0;
    this.failures.length = 0;
  }

  /** Stops listening and destroys every open socket, hanging ones included, so the test process can exit. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === CHECK_PATH) {
      this.checkRequests += 1;
    }
    const failure = this.failures.shift();
    if (failure === 'hang') {
      return;
    }
    if (failure === 'reset') {
      request.socket.destroy();
      return;
    }
    const body = await readBody(request);
    if (failure !== undefined) {
      sendFailure(response, failure);
      return;
    }
    if (request.headers['x-authy-api-key'] !== this.apiKey) {
      sendError(response, 401, '60001', 'Invalid API key');
      return;
    }
    if (request.method === 'POST' && url.pathname === START_PATH) {
      const params = parseStartParams(request.headers['content-type'], body);
      if (params === undefined) {
        sendError(response, 400, '60004', 'Invalid parameter');
        return;
      }
      this.handleStart(params, response);
      return;
    }
    if (request.method === 'GET' && url.pathname === CHECK_PATH) {
      this.handleCheck(url.searchParams, response);
      return;
    }
    sendJson(response, 404, { message: 'Not found', success: false });
  }

  private handleStart(params: URLSearchParams, response: ServerResponse): void {
    const countryCode = digitsOnly(params.get('country_code'));
    const nationalNumber = digitsOnly(params.get('phone_number'));
    if (countryCode === undefined || nationalNumber === undefined) {
      sendError(response, 400, '60033', 'Phone number is invalid');
      return;
    }
    const via = params.get('via');
    if (via !== 'sms' && via !== 'call') {
      sendError(response, 400, '60004', 'Invalid parameter: via');
      return;
    }
    const rawLength = params.get('code_length');
    const codeLength = rawLength === null || rawLength === '' ? undefined : Number(rawLength);
    if (codeLength !== undefined && !(Number.isInteger(codeLength) && codeLength >= 4 && codeLength <= 10)) {
      sendError(response, 400, '60004', 'Invalid parameter: code_length');
      return;
    }
    const locale = params.get('locale') || undefined;

    const key = pendingKey(countryCode, nationalNumber);
    let verification = this.livePending(key);
    if (verification === undefined) {
      verification = {
        code: randomDigits(codeLength ?? DEFAULT_CODE_LENGTH),
        uuid: randomUUID(),
        expiresAt: this.now() + PENDING_LIFETIME_MS,
      };
      this.pending.set(key, verification);
    }
    this.sentMessages.push({
      via,
      countryCode,
      nationalNumber,
      code: verification.code,
      ...(locale !== undefined ? { locale } : {}),
      ...(codeLength !== undefined ? { codeLength } : {}),
    });
    const display = `+${countryCode} ${nationalNumber}`;
    sendJson(response, 200, {
      carrier: 'Fake Carrier',
      is_cellphone: true,
      message: via === 'sms' ? `Text message sent to ${display}.` : `Call to ${display} initiated.`,
      seconds_to_expire: Math.floor((verification.expiresAt - this.now()) / 1000),
      uuid: verification.uuid,
      success: true,
    });
  }

  private handleCheck(query: URLSearchParams, response: ServerResponse): void {
    const countryCode = digitsOnly(query.get('country_code'));
    const nationalNumber = digitsOnly(query.get('phone_number'));
    if (countryCode === undefined || nationalNumber === undefined) {
      sendError(response, 400, '60033', 'Phone number is invalid');
      return;
    }
    const key = pendingKey(countryCode, nationalNumber);
    const verification = this.livePending(key);
    if (verification === undefined) {
      sendError(
        response,
        404,
        '60023',
        `No pending verifications for +${countryCode} ${nationalNumber} found.`,
      );
      return;
    }
    if (query.get('verification_code') !== verification.code) {
      sendError(response, 401, '60022', 'Verification code is incorrect');
      return;
    }
    this.pending.delete(key);
    sendJson(response, 200, { message: 'Verification code is correct.', success: true });
  }

  private livePending(key: string): PendingVerification | undefined {
    const verification = this.pending.get(key);
    if (verification !== undefined && verification.expiresAt <= this.now()) {
      this.pending.delete(key);
      return undefined;
    }
    return verification;
  }
}

function pendingKey(countryCode: string, nationalNumber: string): string {
  return `${countryCode}:${nationalNumber}`;
}

/** The digits of a number written with optional spaces, dashes or dots; undefined when anything else is in it. */
function digitsOnly(value: string | null): string | undefined {
  const stripped = (value ?? '').replace(/[\s.-]/g, '');
  return /^\d+$/.test(stripped) ? stripped : undefined;
}

function randomDigits(length: number): string {
  return Array.from({ length }, () => String(randomInt(10))).join('');
}

function parseStartParams(contentType: string | undefined, body: string): URLSearchParams | undefined {
  if (!(contentType ?? '').toLowerCase().startsWith('application/json')) {
    return new URLSearchParams(body);
  }
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return undefined;
    }
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value === 'string' || typeof value === 'number') {
        params.set(name, String(value));
      }
    }
    return params;
  } catch {
    return undefined;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new Error('request body too large');
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendFailure(
  response: ServerResponse,
  failure: Exclude<FakeVerifyV1Failure, 'hang' | 'reset'>,
): void {
  if (failure === 'status500') {
    sendError(response, 500, '60000', 'An internal error has occurred');
  } else if (failure === 'garbage') {
    response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    response.end('{"carrier":"Fake Carrier","message":"Text message sent to +4');
  } else if (failure === 'successFalse') {
    sendJson(response, 200, { message: 'Something went wrong', success: false });
  } else {
    sendError(response, failure.status, failure.errorCode, 'Failure requested by the test');
  }
}

function sendError(response: ServerResponse, status: number, errorCode: string, message: string): void {
  sendJson(response, status, { error_code: errorCode, message, errors: { message }, success: false });
}

function sendJson(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}
