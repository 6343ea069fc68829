import * as http from 'node:http';
import * as https from 'node:https';
import { HttpModuleOptions, HttpService } from '@nestjs/axios';
import axios, { AxiosError, AxiosRequestConfig, AxiosResponse } from 'axios';

/** HTTP plumbing shared by the Twilio Verify adapters: a total deadline per call, body limits, network codes. */

export type JsonObject = Record<string, unknown>;

/** No provider answer or request of ours comes near this; a larger one is refused, not buffered. */
export const MAX_PROVIDER_BODY_BYTES = 64 * 1024;

const MAX_SOCKETS = 50;

/** Connection errors raised before any byte of the request left: retrying them cannot send twice. */
const NOT_SENT_ERROR_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** axios's own timeout (ECONNABORTED, or ETIMEDOUT) and the abort by the request's total deadline. */
const TIMEOUT_ERROR_CODES: ReadonlySet<string> = new Set([
  AxiosError.ECONNABORTED,
  AxiosError.ETIMEDOUT,
  AxiosError.ERR_CANCELED,
]);

/**
 * The client options both providers share: one keep-alive agent per protocol with bounded sockets, no redirects,
 * bounded bodies, and axios's timeout (which only bounds the wait for the response headers, see `deadline`).
 */
export function providerClientOptions(timeoutMs: number): HttpModuleOptions {
  return {
    timeout: timeoutMs,
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
    maxRedirects: 0,
    maxContentLength: MAX_PROVIDER_BODY_BYTES,
    maxBodyLength: MAX_PROVIDER_BODY_BYTES,
  };
}

/** Closes the keep-alive sockets of a client configured by `providerClientOptions`. */
export function destroyAgents(httpService: HttpService): void {
  const { httpAgent, httpsAgent } = httpService.axiosRef.defaults;
  for (const agent of [httpAgent, httpsAgent]) {
    if (agent instanceof http.Agent) agent.destroy();
  }
}

/**
 * @nestjs/axios gives every request a cancel token of its own unless it has one, and cancels it once the request
 * is over, which makes axios build an error, stack trace and all, for a request that already ended. This token,
 * which never fires, spares that work on every provider call; the deadline's signal is what ends a request.
 */
const NEVER_CANCELLED = new axios.CancelToken(() => undefined);

/**
 * Ends the whole request, a body trickled byte by byte included, within `timeoutMs`: the abort fails it with
 * ERR_CANCELED, which `isTimeout` counts as a timeout. Make one per request: a signal fires only once.
 */
export function deadline(timeoutMs: number): Pick<AxiosRequestConfig, 'signal' | 'cancelToken'> {
  return { signal: AbortSignal.timeout(timeoutMs), cancelToken: NEVER_CANCELLED };
}

/** Hands the body over as the text it was, for `parseJsonObject`: no JSON parsing by axios. */
export const TEXT_RESPONSE: Pick<AxiosRequestConfig, 'responseType' | 'transformResponse'> = {
  responseType: 'text',
  transformResponse: [(data: unknown) => data],
};

/** Whether a network error code means the request failed before any byte of it was sent. */
export function isNotSentCode(code: unknown): boolean {
  return typeof code === 'string' && NOT_SENT_ERROR_CODES.has(code);
}

/** Whether the request failed before any byte of it was sent, so that a retry cannot act twice. */
export function wasNotSent(error: AxiosError): boolean {
  return isNotSentCode(error.code);
}

/** Whether the request ran out of time: axios's timeout, or the abort by `deadline`. */
export function isTimeout(error: AxiosError): boolean {
  return error.code !== undefined && TIMEOUT_ERROR_CODES.has(error.code);
}

/** A text body that holds a JSON object, parsed; anything else (not text, not JSON, an array...) is undefined. */
export function parseJsonObject(data: unknown): JsonObject | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The seconds a `Retry-After` header asks to wait, given as delay-seconds or as an HTTP-date (a date in the past
 * is 0); undefined when there is no such header or it is neither. The header's name is matched in any case.
 */
export function retryAfterSeconds(response: AxiosResponse<unknown>, now = Date.now()): number | undefined {
  const header = headerValue(response, 'retry-after');
  if (typeof header !== 'string' && typeof header !== 'number') return undefined;
  const value = String(header).trim();
  if (/^\d+$/.test(value)) return Number(value);
  // Every HTTP-date names its month; without a letter, Date.parse would read numbers such as "1.5" as dates.
  const date = /[A-Za-z]/.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function headerValue(response: AxiosResponse<unknown>, name: string): unknown {
  const headers: unknown = response.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}
