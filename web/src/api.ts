import { ErrorFacts, NETWORK_ERROR } from './messages.js';
import { session } from './session.js';

export interface User {
  id: string;
  email: string;
  phoneNumber: string | null;
  phoneCountryCode: string | null;
  phoneNationalNumber: string | null;
  phoneNumberConfirmed: boolean;
  phoneNumberConfirmedAt: string | null;
  createdAt: string;
}

/** The answer of register, login and refresh. `refreshToken` is there once the service issues them. */
export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken?: string;
  refreshExpiresIn?: number;
  user: User;
}

export type Channel = 'sms' | 'call' | 'whatsapp';

export interface StartAnswer {
  status: 'pending';
  channel: Channel;
  to: string;
  expiresInSeconds: number;
  resendAfterSeconds: number;
}

export interface PendingVerification {
  channel: Channel;
  to: string;
  expiresInSeconds: number;
  resendAfterSeconds: number;
  attemptsRemaining: number;
}

export interface VerificationStatus {
  phoneNumber: string | null;
  phoneNumberConfirmed: boolean;
  pending: PendingVerification | null;
}

export interface CheckAnswer {
  phoneNumberConfirmed: true;
  phoneNumber: string;
  accessToken: string;
}

export interface DemoSettings {
  allowedCountries: string[];
  channels: Channel[];
  codeLength: number;
}

export interface PhoneInput {
  countryCode: number;
  phoneNumber: string;
}

/** A failed call, with the API's error body. */
export class ApiError extends Error implements ErrorFacts {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field: string; messages: string[] }[] = [],
    readonly retryAfterSeconds?: number,
    readonly attemptsRemaining?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface CallOptions {
  body?: unknown;
  /** Sends the access token, renewing it once when it has expired. */
  auth?: boolean;
  headers?: Record<string, string>;
}

/** The one function that calls the API: same origin, JSON, every failure turned into an `ApiError`. */
export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const token = options.auth ? session.accessToken : null;
  let response = await send(method, path, options, token);
  if (response.ok) return answerOf<T>(response);
  let error = await toApiError(response);
  // An expired or revoked access token is renewed once; other 401s (a wrong password, a password that is
  // not recent enough) are for the page to handle.
  if (error.code === 'UNAUTHORIZED' && token && (await session.renew())) {
    response = await send(method, path, options, session.accessToken);
    if (response.ok) return answerOf<T>(response);
    error = await toApiError(response);
  }
  if (options.auth && error.code === 'UNAUTHORIZED') session.end();
  throw error;
}

async function answerOf<T>(response: Response): Promise<T> {
  return (response.status === 204 ? undefined : await response.json()) as T;
}

async function send(
  method: string,
  path: string,
  options: CallOptions,
  token: string | null,
): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, NETWORK_ERROR, 'The service could not be reached');
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get('Retry-After'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  let body: { code?: unknown; message?: unknown; details?: unknown; attemptsRemaining?: unknown } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not the API's error body (a proxy's page, say): judged by the status alone.
  }
  return new ApiError(
    response.status,
    typeof body.code === 'string' ? body.code : response.status >= 500 ? 'INTERNAL_ERROR' : NETWORK_ERROR,
    typeof body.message === 'string' ? body.message : response.statusText,
    Array.isArray(body.details) ? (body.details as ApiError['details']) : [],
    retryAfterSeconds,
    typeof body.attemptsRemaining === 'number' ? body.attemptsRemaining : undefined,
  );
}

/** A fresh `Idempotency-Key`: one per press of a send button, so a retried request sends one code. */
function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export const api = {
  register: (email: string, password: string) =>
    call<TokenPair>('POST', '/auth/register', { body: { email, password } }),
  login: (email: string, password: string) =>
    call<TokenPair>('POST', '/auth/login', { body: { email, password } }),
  refresh: (refreshToken: string) => call<TokenPair>('POST', '/auth/refresh', { body: { refreshToken } }),
  logout: () => call<void>('POST', '/auth/logout', { auth: true, body: {} }),
  /** Ends the session an access token belongs to, other than the current one. */
  endSession: (accessToken: string) =>
    call<void>('POST', '/auth/logout', { body: {}, headers: { Authorization: `Bearer ${accessToken}` } }),
  me: () => call<User>('GET', '/users/me', { auth: true }),
  setPhone: (phone: PhoneInput) => call<User>('PUT', '/users/me/phone', { auth: true, body: phone }),
  removePhone: () => call<User>('DELETE', '/users/me/phone', { auth: true }),
  startVerification: (body: { channel: Channel } & Partial<PhoneInput>) =>
    call<StartAnswer>('POST', '/phone-verification/start', {
      auth: true,
      body,
      headers: { 'Idempotency-Key': idempotencyKey() },
    }),
  checkCode: (code: string) =>
    call<CheckAnswer>('POST', '/phone-verification/check', { auth: true, body: { code } }),
  status: () => call<VerificationStatus>('GET', '/phone-verification/status', { auth: true }),
  settings: () => call<DemoSettings>('GET', '/demo-settings.json'),
};

session.useRenewer(async (refreshToken) => {
  const pair = await api.refresh(refreshToken);
  return { accessToken: pair.accessToken, refreshToken: pair.refreshToken, email: pair.user.email };
});

/** Starts the session a register, login or refresh answer carries. */
export function beginSession(pair: TokenPair): void {
  session.begin({ accessToken: pair.accessToken, refreshToken: pair.refreshToken, email: pair.user.email });
}

/** What a page needs to word a failure: the API's error, or an unexpected one. */
export function factsOf(error: unknown): ErrorFacts {
  return error instanceof ApiError ? error : { code: 'INTERNAL_ERROR' };
}
