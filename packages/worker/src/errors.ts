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

  /** `cause`: the error behind it (an unexpected one, kept for the log; never sent). */
  constructor(code: ErrorCode, message: string, issues?: ErrorIssue[], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
    this.issues = issues;
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
