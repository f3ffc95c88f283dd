/**
 * Admission control for one isolate: at most `maxInFlight` task requests are worked on at once and `maxQueued`
 * more wait their turn; beyond that the answer is 503 `overloaded` with `Retry-After`, decided before a byte of
 * the body is read. A waiting request holds nothing but its connection: its body is read and decoded only once
 * admitted. One isolate runs one request's JS at a time, so more in flight only adds memory, not throughput.
 *
 * A request that would be refused may instead spill to the GPU tier while `spill()` says it can take work (a GPU
 * tier configured, its breaker closed) and the caller did not ask for `tier=edge`: at most `maxSpilled` at once,
 * each marked `edgeFull` so that routing sends it to the GPU (the edge answers it `overloaded`; see tiered.ts).
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';
import type { AppEnv } from './deps';

export interface AdmissionOptions {
  /** Requests worked on at once (default 4). */
  maxInFlight?: number;
  /** Requests waiting for a turn (default 16). */
  maxQueued?: number;
  /** Seconds a refused caller is told to wait (default 1). */
  retryAfterSeconds?: number;
  /** The longest a request waits for its turn before it too is 503 overloaded (default 30 s). */
  maxWaitMs?: number;
  /** Whether refused work may go to the GPU tier now. Absent: never. */
  spill?: () => boolean;
  /** Requests spilled to the GPU tier at once (default: `maxInFlight`). They decode and preprocess here and hold
   * their image while the GPU answers, so this bounds that memory as `maxInFlight` does for the edge. */
  maxSpilled?: number;
}

export function admission({ maxInFlight = 4, maxQueued = 16, retryAfterSeconds = 1, maxWaitMs = 30_000, spill, maxSpilled = maxInFlight }: AdmissionOptions = {}): MiddlewareHandler<AppEnv> {
  let inFlight = 0;
  let queued = 0;
  let spilled = 0;
  const overloaded = (c: Parameters<MiddlewareHandler<AppEnv>>[0], why: string) => {
    c.header('retry-after', String(retryAfterSeconds));
    return new ApiError('overloaded', `The worker is at capacity (${why}); retry after ${retryAfterSeconds} s.`);
  };
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    if (inFlight >= maxInFlight) {
      if (queued >= maxQueued) {
        const mayGo = spilled < maxSpilled && c.req.query('tier') !== 'edge' && spill?.() === true;
        if (!mayGo) throw overloaded(c, `${maxInFlight} in flight, ${maxQueued} waiting`);
        spilled++;
        c.set('edgeFull', true);
        try {
          return await next();
        } finally {
          spilled--;
        }
      }
      // A waiting request looks for a free slot on its own timer. It must not wait on a promise that the finishing
      // request settles: workerd does not run a continuation resolved from another request's context (the waiter
      // hangs, or the runtime cancels it as hung).
      queued++;
      try {
        const start = Date.now();
        for (let delay = 2; inFlight >= maxInFlight; delay = Math.min(50, delay * 1.5)) {
          if (c.req.raw.signal.aborted) throw new ApiError('invalid_request', 'The client went away.');
          if (Date.now() - start > maxWaitMs) throw overloaded(c, `waited ${Math.round(maxWaitMs / 1000)} s for a turn`);
          await new Promise((ok) => setTimeout(ok, delay));
        }
      } finally {
        queued--;
      }
    }
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  };
}
