import { isUtf8 } from 'node:buffer';
import { json } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { buildErrorBody } from '../error-body';

export const MAX_BODY_BYTES = 16 * 1024;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// A lone UTF-16 surrogate (`"\ud800"`) is valid JSON but no valid text: validators and drivers choke on it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A body that is not the UTF-8 that JSON must be (RFC 8259 §8.1): refused rather than decoded to U+FFFD. */
class NotUtf8Error extends Error {
  constructor(readonly charset: string) {
    super('request body is not UTF-8');
  }
}

const parseJson = json({
  type: ['application/json', 'application/*+json'],
  limit: MAX_BODY_BYTES,
  strict: false,
  verify: (_request, _response, body: Buffer, charset: string) => {
    if (charset !== 'utf-8' || !isUtf8(body)) throw new NotUtf8Error(charset);
  },
  reviver: (key, value: unknown) => {
    // Rejected here so that no later merge or transform can touch an object's prototype.
    if (FORBIDDEN_KEYS.has(key) || LONE_SURROGATE.test(key)) throw new SyntaxError('property not allowed');
    if (typeof value === 'string' && LONE_SURROGATE.test(value)) throw new SyntaxError('invalid text');
    return value;
  },
});

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function isJson(request: Request): boolean {
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
}

/**
 * Parses JSON bodies of at most 16 KiB and answers in the error shape of docs/api.md: 413 when too large, 415
 * when the body is not JSON (or declares a charset other than UTF-8), 400 when it is malformed, not UTF-8 or not
 * an object.
 */
export const jsonBody: RequestHandler = (request: Request, response: Response, next: NextFunction) => {
  if (!hasBody(request)) return next();
  if (!isJson(request)) {
    response
      .status(415)
      .json(buildErrorBody(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json'));
    return;
  }
  parseJson(request, response, (error?: unknown) => {
    if (error) {
      const { type, status } = error as { type?: string; status?: number };
      if (error instanceof NotUtf8Error && error.charset === 'utf-8') {
        response
          .status(400)
          .json(buildErrorBody(400, 'VALIDATION_FAILED', 'Request body is not valid UTF-8'));
      } else if (error instanceof NotUtf8Error) {
        response
          .status(415)
          .json(buildErrorBody(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be UTF-8 JSON'));
      } else if (type === 'entity.too.large' || status === 413) {
        response
          .status(413)
          .json(
            buildErrorBody(413, 'PAYLOAD_TOO_LARGE', `Request body must not exceed ${MAX_BODY_BYTES} bytes`),
          );
      } else if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
        response
          .status(415)
          .json(buildErrorBody(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be UTF-8 JSON'));
      } else {
        response.status(400).json(buildErrorBody(400, 'VALIDATION_FAILED', 'Request body is not valid JSON'));
      }
      return;
    }
    const body: unknown = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      response
        .status(400)
        .json(buildErrorBody(400, 'VALIDATION_FAILED', 'Request body must be a JSON object'));
      return;
    }
    next();
  });
};
