/**
 * Admission control for one isolate: at most `maxInFlight` task requests are worked on at once and `maxQueued`
 * more wait their turn; beyond that the answer is 503 `overloaded` with `Retry-After`, decided before a byte of
 * the body is read. A waiting request holds nothing but its connection: its body is read and decoded only once
 * admitted. One isolate runs one request's JS at a time, so more in flight only adds memory, not throughput.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';

export interface AdmissionOptions {
  /** Requests worked on at once (default 4). */
  maxInFlight?: number;
  /** Requests waiting for a turn (default 16). */
  maxQueued?: number;
  /** Seconds a refused caller is told to wait (default 1). */
  retryAfterSeconds?: number;
}

export function admission({ maxInFlight = 4, maxQueued = 16, retryAfterSeconds = 1 }: AdmissionOptions = {}): MiddlewareHandler {
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    if (inFlight < maxInFlight) {
      inFlight++;
    } else if (waiting.length < maxQueued) {
      await new Promise<void>((admit) => waiting.push(admit)); // the finishing request hands its slot over
    } else {
      c.header('retry-after', String(retryAfterSeconds));
      throw new ApiError('overloaded', `The worker is at capacity (${maxInFlight} in flight, ${maxQueued} waiting); retry after ${retryAfterSeconds} s.`);
    }
    try {
      await next();
    } finally {
      const nextInLine = waiting.shift();
      if (nextInLine) nextInLine();
      else inFlight--;
    }
  };
}
