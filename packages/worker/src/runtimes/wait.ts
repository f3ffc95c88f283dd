/**
 * Waiting without waiting on another request. workerd cancels a request that awaits a promise only another request
 * settles ("A promise was resolved or rejected from a different request context"; the waiter is then reported as
 * hung, a text/plain 500). So nothing shared here is a promise: shared state is plain values, and a request that
 * must wait polls that state on its own timer, for a bounded time, and stops when its caller goes away.
 */
import { ApiError } from '../errors';

export interface WaitOptions {
  signal?: AbortSignal | undefined;
  /** Give up after this long, ms. */
  timeoutMs: number;
  /** Look again every this many ms. */
  intervalMs: number;
  /** What is being waited for, for the error message. */
  what: string;
  /** Clock and sleep, injectable for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The caller's abort, as the error to throw: the signal's reason, or an AbortError. */
export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** The documented error when an isolate stays too busy to serve a request: 429 rate_limited, retryable. */
export function busyError(what: string, waitedMs: number): ApiError {
  return new ApiError('rate_limited', `The worker is busy: waited ${Math.round(waitedMs / 1000)} s for ${what}. Retry shortly.`);
}

/** Calls `check` until it returns a value (not undefined), sleeping between calls on this request's own timer. */
export async function pollUntil<T>(check: () => T | undefined, { signal, timeoutMs, intervalMs, what, now = Date.now, sleep = realSleep }: WaitOptions): Promise<T> {
  const start = now();
  for (;;) {
    throwIfAborted(signal);
    const value = check();
    if (value !== undefined) return value;
    if (now() - start >= timeoutMs) throw busyError(what, now() - start);
    await sleep(intervalMs);
  }
}

/**
 * Runs the first call alone: a runtime's first load also initialises its wasm, which must happen once. Calls that
 * arrive meanwhile poll until it is over (not await its promise, which another request settles), then run
 * concurrently. A failed first call is not kept: the next call runs alone again.
 */
export function firstCallAlone(wait: Omit<WaitOptions, 'signal'>) {
  let ready = false;
  let running = false;
  return async <T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    for (;;) {
      if (ready) return fn();
      if (!running) {
        running = true;
        try {
          const value = await fn();
          ready = true;
          return value;
        } finally {
          running = false;
        }
      }
      await pollUntil(() => (running ? undefined : true), { ...wait, signal });
    }
  };
}
