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

  constructor(code: ErrorCode, message: string, issues?: ErrorIssue[]) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.issues = issues;
  }

  get status(): number {
    return ErrorStatus[this.code];
  }

  /** Worth retrying the same request later: rate limits and transient upstream or server failures. */
  get retryable(): boolean {
    return this.code === 'rate_limited' || this.status >= 500;
  }
}

/**
 * The error body for `err` (anything thrown): an ApiError as it is, anything else as internal_error, logged with
 * the request id (the message never carries its details to the caller). Used by the app's onError and by batch
 * and analyze answers, whose failed items carry the same body.
 */
export function errorBody(err: unknown, requestId: string): ErrorBody {
  const error = err instanceof ApiError ? err : new ApiError('internal_error', 'Internal error; the request id identifies it in the logs.');
  if (!(err instanceof ApiError)) console.error(`[${requestId}]`, err);
  return {
    error: { code: error.code, message: error.message, request_id: requestId, retryable: error.retryable, ...(error.issues ? { issues: error.issues } : {}) },
  };
}
