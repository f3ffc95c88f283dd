/**
 * The one error type of the worker. Anything thrown as an `ApiError` becomes the documented error body
 * `{ error: { code, message, request_id, retryable, issues? } }` with the status fixed by its code.
 */
import { type ErrorBody, type ErrorCode, ErrorStatus } from '@cvkit/sdk/contract';

export interface ErrorIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly issues: ErrorIssue[] | undefined;
  /** What happened, for the log only (with the request id): never sent to the caller. */
  readonly logDetail: string | undefined;
  /** Seconds after which a retry may succeed: sent as `Retry-After`. */
  readonly retryAfterSeconds: number | undefined;

  /**
   * `cause`: the error behind it (an unexpected one, kept for the log; never sent); `logDetail`: what happened, for
   * the log only; `retryAfterSeconds`: sent as `Retry-After`.
   */
  constructor(code: ErrorCode, message: string, issues?: ErrorIssue[], options?: { cause?: unknown; logDetail?: string; retryAfterSeconds?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.issues = issues;
    this.logDetail = options?.logDetail;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  get status(): number {
    return ErrorStatus[this.code];
  }

  /**
   * Worth retrying the same request later: rate limits and transient upstream failures. An internal error is a
   * bug that the same request would hit again: not retryable.
   */
  get retryable(): boolean {
    return this.code === 'rate_limited' || (this.status >= 500 && this.code !== 'internal_error');
  }
}

/** Caller input quoted in a message, cut to `max` characters (a 13 MiB option name must not come back 13 MiB). */
export function clip(text: string, max = 64): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}

/** `err` (anything thrown) as an ApiError: a caller's abort is invalid_request, anything unexpected internal_error. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if ((err as { name?: unknown } | null)?.name === 'AbortError') {
    return new ApiError('invalid_request', 'The request was aborted before it finished.', undefined, { cause: err });
  }
  return new ApiError('internal_error', 'Internal error; the request id identifies it in the logs.', undefined, { cause: err });
}

/**
 * The error body for `err` (anything thrown), logged with the request id when unexpected (the message never carries
 * its details to the caller). Used by the app's onError and by batch and analyze answers, whose failed items carry
 * the same body.
 */
export function errorBody(err: unknown, requestId: string): ErrorBody {
  const error = toApiError(err);
  if (error.code === 'internal_error') console.error(`[${requestId}]`, err);
  else if (error.logDetail) console.warn(`[${requestId}] ${error.code}: ${error.logDetail}`);
  return {
    error: { code: error.code, message: error.message, request_id: requestId, retryable: error.retryable, ...(error.issues ? { issues: error.issues } : {}) },
  };
}
