/**
 * The one place the SDK talks HTTP: builds the URL and headers, applies the per-attempt timeout and the caller's
 * AbortSignal, turns every failure into the matching error class, and retries what is worth retrying.
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  CVKitError,
} from '../errors';
import type { ErrorBody } from '../types';
import { retryDelayMs, shouldRetryStatus } from './retry';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Per-call settings; each overrides the client's. */
export interface RequestOptions {
  /** Cancels the request (and any retry wait): the call rejects with `APIUserAbortError`. */
  signal?: AbortSignal | undefined;
  /** Milliseconds each attempt may take, answer body included. */
  timeout?: number | undefined;
  /** How many times to retry a connection error, timeout, 408, 409, 429 or 5xx. */
  maxRetries?: number | undefined;
  /** Extra headers for this call (e.g. `x-request-id` to trace it). */
  headers?: Record<string, string> | undefined;
}

export interface TransportConfig {
  baseURL: string;
  apiKey: string | undefined;
  timeout: number;
  maxRetries: number;
  fetch: Fetch;
  defaultHeaders: Record<string, string>;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** What a successful answer is: parsed JSON, or the bytes as a Blob (`format=image`). */
  expect: 'json' | 'blob';
}

export function buildURL(baseURL: string, path: string, query: Record<string, string> = {}): string {
  const url = new URL(baseURL.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.href;
}

function parseErrorBody(text: string): ErrorBody['error'] | undefined {
  try {
    const body = JSON.parse(text) as Partial<ErrorBody> | null;
    const error = body?.error;
    if (error && typeof error === 'object' && typeof error.message === 'string' && typeof error.code === 'string') return error;
  } catch {
    // not JSON: a proxy's HTML page, an empty body
  }
  return undefined;
}

function errorFromResponse(res: Response, text: string): APIError {
  const error = parseErrorBody(text);
  const requestId = error?.request_id ?? res.headers.get('x-request-id') ?? undefined;
  const snippet = text.trim().slice(0, 200);
  return APIError.generate({
    status: res.status,
    code: error?.code ?? `http_${res.status}`,
    message: error?.message ?? `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${snippet ? `: ${snippet}` : ' (no body)'}`,
    request_id: requestId,
    headers: res.headers,
    issues: error?.issues,
    body: error ? { error } : text,
  });
}

/** The default sleep: its timer is cleared on abort, so an aborted call leaves nothing keeping a process alive. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

// setTimeout fires at once for delays past 2^31-1 ms, which would time every attempt out.
const MAX_TIMEOUT_MS = 2_147_483_647;

/** `timeout` must be a positive number of milliseconds (at most ~24.8 days). */
export function checkTimeout(timeout: number): number {
  if (!(timeout > 0 && timeout <= MAX_TIMEOUT_MS)) throw new CVKitError(`timeout must be between 1 and ${MAX_TIMEOUT_MS} ms, not ${timeout}.`);
  return timeout;
}

/** `maxRetries` must be a whole number >= 0 (NaN would retry forever). */
export function checkMaxRetries(maxRetries: number): number {
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0)) throw new CVKitError(`maxRetries must be a whole number >= 0, not ${maxRetries}.`);
  return maxRetries;
}

/** Waits `ms`, or rejects with APIUserAbortError as soon as `signal` fires. */
async function wait(sleep: (ms: number, signal?: AbortSignal) => Promise<void>, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return sleep(ms);
  if (signal.aborted) throw new APIUserAbortError({ cause: signal.reason });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new APIUserAbortError({ cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms, signal), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

const TIMED_OUT = Symbol('timed out');

/** The most useful line of a fetch failure: undici hides the reason (ECONNREFUSED, ENOTFOUND) in `cause`. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}

async function readAnswer(res: Response, expect: HttpRequest['expect']): Promise<unknown> {
  const type = res.headers.get('content-type') ?? '';
  if (expect === 'blob') {
    if (type.startsWith('image/')) return res.blob();
    throw new CVKitError(`Expected an image answer but got '${type || 'no content type'}': ${(await res.text()).slice(0, 200)}`);
  }
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CVKitError(`The server answered HTTP ${res.status} with a body that is not JSON ('${type}'): ${text.slice(0, 200)}`);
  }
}

/** Sends one request with retries; resolves with the parsed JSON or the Blob. */
export async function send(config: TransportConfig, req: HttpRequest, options: RequestOptions = {}): Promise<unknown> {
  return (await sendWithResponse(config, req, options)).data;
}

/** As `send`, with the HTTP response of the successful attempt (its body already read into `data`). */
export async function sendWithResponse(config: TransportConfig, req: HttpRequest, options: RequestOptions = {}): Promise<{ data: unknown; response: Response }> {
  const maxRetries = checkMaxRetries(options.maxRetries ?? config.maxRetries);
  const timeout = checkTimeout(options.timeout ?? config.timeout);
  const userSignal = options.signal;
  const url = buildURL(config.baseURL, req.path, req.query);
  const headers: Record<string, string> = {
    accept: req.expect === 'json' ? 'application/json' : 'image/*',
    ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
    ...config.defaultHeaders,
    ...req.headers,
    ...options.headers,
  };

  for (let attempt = 0; ; attempt++) {
    if (userSignal?.aborted) throw new APIUserAbortError({ cause: userSignal.reason });

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(TIMED_OUT), timeout);
    const onUserAbort = () => controller.abort(userSignal?.reason);
    userSignal?.addEventListener('abort', onUserAbort, { once: true });

    let failure: APIError;
    let retryable: boolean;
    try {
      const init: RequestInit = { method: req.method, headers, signal: controller.signal };
      if (req.body !== undefined) init.body = req.body;
      // Called unbound: a fetch kept as a method of another object fails in browsers and Workers ("Illegal invocation").
      const res = await config.fetch.call(undefined, url, init);
      if (res.ok) return { data: await readAnswer(res, req.expect), response: res };
      failure = errorFromResponse(res, await res.text());
      retryable = shouldRetryStatus(res.status, res.headers);
    } catch (err) {
      if (err instanceof CVKitError) throw err;
      if (userSignal?.aborted) throw new APIUserAbortError({ cause: userSignal.reason });
      failure = controller.signal.aborted && controller.signal.reason === TIMED_OUT
        ? new APIConnectionTimeoutError({ message: `Request timed out after ${timeout} ms (${req.method} ${url}).` })
        : new APIConnectionError({ message: `Connection error: ${describe(err)} (${req.method} ${url}).`, cause: err });
      retryable = true;
    } finally {
      clearTimeout(timer);
      userSignal?.removeEventListener('abort', onUserAbort);
    }
    if (!retryable || attempt >= maxRetries) throw failure;
    await wait(config.sleep, retryDelayMs(attempt, failure.headers, config.random), userSignal);
  }
}
