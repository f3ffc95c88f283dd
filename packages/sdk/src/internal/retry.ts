/**
 * When and how long to wait before retrying a request, as openai-node does: the server's `x-should-retry` wins,
 * then 408/409/429/5xx are retried and every other status is final; the wait is the server's `retry-after-ms` or
 * `Retry-After` (seconds or an HTTP date) when it is under a minute, else min(0.5 * 2^n, 8) s less up to 25% jitter.
 */

/** Longest server-requested wait we honour; beyond it we fall back to our own backoff. */
const MAX_RETRY_AFTER_MS = 60_000;
const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;

/** Whether an HTTP error answer is worth retrying. */
export function shouldRetryStatus(status: number, headers: Headers): boolean {
  const hint = headers.get('x-should-retry');
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The wait the server asked for, in ms, or undefined when it asked for none (or nonsense). */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers.get('retry-after');
  if (after !== null && after.trim() !== '') {
    const seconds = Number(after);
    if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
    const date = Date.parse(after);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  return undefined;
}

/**
 * How long to wait before retry number `retry` (0 for the first retry).
 * `random` is injectable so tests get exact values.
 */
export function retryDelayMs(retry: number, headers: Headers | undefined, random: () => number, now?: number): number {
  const asked = retryAfterMs(headers, now);
  if (asked !== undefined && asked < MAX_RETRY_AFTER_MS) return asked;
  const base = Math.min(INITIAL_DELAY_MS * 2 ** retry, MAX_DELAY_MS);
  return base * (1 - random() * 0.25);
}
