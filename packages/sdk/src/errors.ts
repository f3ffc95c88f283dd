/**
 * Errors the client throws, one class per kind so callers can `instanceof` them (the openai-node family):
 *
 * CVKitError                     anything from this SDK (also: bad arguments, found before any request)
 * ├─ ImageFileError               fromFile (in @cvkit/sdk/node) could not read the file: path, code (ENOENT, ...)
 * └─ APIError                    the request failed: status, code, message, request_id
 *    ├─ BadRequestError          400: invalid options, JSON, image string
 *    ├─ AuthenticationError      401: missing or wrong API key
 *    ├─ NotFoundError            404: unknown model or route
 *    ├─ PayloadTooLargeError     413
 *    ├─ UnsupportedMediaTypeError 415: not an image, or a format the API does not decode
 *    ├─ UnprocessableEntityError 422: corrupt image, too many pixels, image URL not fetchable
 *    ├─ RateLimitError           429
 *    ├─ InternalServerError      >= 500
 *    ├─ APIConnectionError       no HTTP answer (network, DNS, refused); status undefined
 *    │  └─ APIConnectionTimeoutError  no answer within `timeout`
 *    └─ APIUserAbortError        the caller's AbortSignal fired
 */
import type { ErrorCode, ErrorIssue } from './types';

/** Codes for failures that never reached an HTTP answer. */
export type ClientErrorCode = 'connection_error' | 'connection_timeout' | 'user_abort';

// Each published entry (".", "./node") is a self-contained bundle with its own copy of this class, so an error
// thrown by fromFile must still pass `instanceof CVKitError` with the class imported from "@cvkit/sdk": the base class
// recognises a brand shared by every copy. Subclasses keep the ordinary prototype check.
const BRAND = Symbol.for('@cvkit/sdk.CVKitError');

export class CVKitError extends Error {
  override name = 'CVKitError';
  readonly [BRAND] = true;
}

// Defined outside the class body: a static member that names its own class makes esbuild (tsup) rename the class
// `_CVKitError`, which users then saw as `err.constructor.name`.
Object.defineProperty(CVKitError, Symbol.hasInstance, {
  value(this: unknown, value: unknown): boolean {
    if (this !== CVKitError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  },
});

/** `fromFile` could not read the file; `code` is Node's (`ENOENT`, `EACCES`, `EISDIR`, ...). */
export class ImageFileError extends CVKitError {
  override name = 'ImageFileError';
  readonly path: string;
  readonly code: string | undefined;

  constructor({ path, code, cause }: { path: string; code?: string | undefined; cause?: unknown }) {
    const why = (code && FILE_ERRORS[code]) ?? (cause instanceof Error ? cause.message : String(cause));
    super(`Cannot read the image file '${path}': ${why}${code ? ` (${code})` : ''}.`, cause === undefined ? undefined : { cause });
    this.path = path;
    this.code = code;
  }
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  ENAMETOOLONG: 'the path is too long',
};

export interface APIErrorInit {
  status: number | undefined;
  code: ErrorCode | ClientErrorCode | (string & {});
  message: string;
  request_id?: string | undefined;
  headers?: Headers | undefined;
  issues?: ErrorIssue[] | undefined;
  /** The parsed error body, when the server sent one. */
  body?: unknown;
  cause?: unknown;
}

export class APIError extends CVKitError {
  override name = 'APIError';
  /** HTTP status; `undefined` when no answer arrived (connection errors, timeouts, aborts). */
  readonly status: number | undefined;
  /** The API's error code (`model_not_found`, `invalid_option`, ...), or a client-side one (`connection_timeout`). */
  readonly code: ErrorCode | ClientErrorCode | (string & {});
  /** The request's id (`x-request-id`): quote it when reporting a problem. */
  readonly request_id: string | undefined;
  /** Response headers, when there was a response. */
  readonly headers: Headers | undefined;
  /** For `invalid_option`: which option and why. */
  readonly issues: ErrorIssue[] | undefined;
  /** The parsed error body, when the server sent one. */
  readonly body: unknown;

  constructor(init: APIErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.request_id = init.request_id;
    this.headers = init.headers;
    this.issues = init.issues;
    this.body = init.body;
  }

  /** The error class for an HTTP error status. */
  static generate(init: APIErrorInit & { status: number }): APIError {
    const Class = errorClassFor(init.status);
    return new Class(init);
  }
}

export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
export class PayloadTooLargeError extends APIError {
  override name = 'PayloadTooLargeError';
}
export class UnsupportedMediaTypeError extends APIError {
  override name = 'UnsupportedMediaTypeError';
}
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
}
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
}
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}

export class APIConnectionError extends APIError {
  override name = 'APIConnectionError';
  constructor({ message = 'Connection error.', cause, code = 'connection_error' }: { message?: string; cause?: unknown; code?: ClientErrorCode } = {}) {
    super({ status: undefined, code, message, cause });
  }
}

export class APIConnectionTimeoutError extends APIConnectionError {
  override name = 'APIConnectionTimeoutError';
  constructor({ message = 'Request timed out.', cause }: { message?: string; cause?: unknown } = {}) {
    super({ message, cause, code: 'connection_timeout' });
  }
}

export class APIUserAbortError extends APIError {
  override name = 'APIUserAbortError';
  constructor({ message = 'Request was aborted.', cause }: { message?: string; cause?: unknown } = {}) {
    super({ status: undefined, code: 'user_abort', message, cause });
  }
}

type APIErrorClass = new (init: APIErrorInit) => APIError;

const byStatus: Record<number, APIErrorClass> = {
  400: BadRequestError,
  401: AuthenticationError,
  404: NotFoundError,
  413: PayloadTooLargeError,
  415: UnsupportedMediaTypeError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

function errorClassFor(status: number): APIErrorClass {
  return byStatus[status] ?? (status >= 500 ? InternalServerError : APIError);
}
