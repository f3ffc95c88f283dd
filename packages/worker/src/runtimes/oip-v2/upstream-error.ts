/**
 * How a GPU-tier failure reaches the caller: an `ApiError` with the contract's upstream codes (502 `upstream_error`,
 * 503 `upstream_unavailable` with Retry-After, 504 `timeout`) plus what the circuit breaker needs to know: whether
 * the failure says the endpoint is unhealthy (connection errors, timeouts, 5xx, malformed bodies) or only that this
 * request was refused (4xx, a model whose metadata differs), which must not open the breaker.
 */
import { ApiError } from '../../errors';

export type UpstreamFailureKind =
  /** Could not connect, or the connection broke. */
  | 'connection'
  /** No complete answer within the time allowed. */
  | 'timeout'
  /** A 5xx answer. */
  | 'server'
  /** A 2xx answer whose body does not follow the protocol. */
  | 'malformed'
  /** A 4xx answer: the server refused this request. */
  | 'refused'
  /** The server's model metadata differs from what cvkit sends and expects. */
  | 'mismatch'
  /** The GPU tier is not configured, or its breaker is open: nothing was sent. */
  | 'unavailable';

const CODE: Record<UpstreamFailureKind, 'upstream_error' | 'upstream_unavailable' | 'timeout'> = {
  connection: 'upstream_unavailable',
  timeout: 'timeout',
  server: 'upstream_error',
  malformed: 'upstream_error',
  refused: 'upstream_error',
  mismatch: 'upstream_error',
  unavailable: 'upstream_unavailable',
};

export class UpstreamFailure extends ApiError {
  readonly kind: UpstreamFailureKind;
  readonly #retryable: boolean;

  constructor(
    kind: UpstreamFailureKind,
    message: string,
    options: { retryAfter?: number; code?: 'upstream_error' | 'upstream_unavailable' | 'timeout'; retryable?: boolean } = {},
  ) {
    super(options.code ?? CODE[kind], message, undefined, { retryAfterSeconds: options.retryAfter });
    this.name = 'UpstreamFailure';
    this.kind = kind;
    this.#retryable = options.retryable ?? true;
  }

  /** Seconds for the response's Retry-After header (503s). */
  get retryAfter(): number | undefined {
    return this.retryAfterSeconds;
  }

  /** Worth retrying later, unless the failure is a configuration that a retry cannot change (no GPU tier). */
  override get retryable(): boolean {
    return this.#retryable;
  }

  /** Whether this failure counts against the endpoint's circuit breaker. */
  get countsAsFailure(): boolean {
    return this.kind === 'connection' || this.kind === 'timeout' || this.kind === 'server' || this.kind === 'malformed';
  }
}

export function isUpstreamFailure(error: unknown): error is UpstreamFailure {
  return error instanceof UpstreamFailure;
}

/** The caller went away: not a failure of anyone's, never counted, never answered. */
export function isAbort(error: unknown): boolean {
  return (error instanceof Error || error instanceof DOMException) && (error as Error).name === 'AbortError';
}

export function abortError(): DOMException {
  return new DOMException('The request was aborted.', 'AbortError');
}

/**
 * A one-line summary of an upstream error body. Triton answers `{"error": "..."}`; the text is cut, stripped of
 * control characters and never passed through as the body itself.
 */
export function summariseErrorBody(body: Uint8Array): string {
  const text = new TextDecoder().decode(body.subarray(0, 1 << 20));
  let message: string | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && 'error' in parsed) {
      const error = (parsed as { error: unknown }).error;
      if (typeof error === 'string') message = error;
      else if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') message = error.message;
    }
  } catch {}
  if (message === undefined) return body.length === 0 ? 'empty body' : `a non-protocol body of ${body.length} bytes`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const clean = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > 200 ? `"${clean.slice(0, 200)}..."` : `"${clean}"`;
}

/** Retry-After as seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. Capped at an hour. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed), 3600);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, Math.ceil((date - now) / 1000)), 3600);
}
