/**
 * The one error type of the worker. Anything thrown as an `ApiError` becomes the documented error body
 * `{ error: { code, message, request_id, retryable, issues? } }` with the status fixed by its code.
 */
import { type ErrorCode, ErrorStatus } from '@cvkit/sdk/contract';

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
