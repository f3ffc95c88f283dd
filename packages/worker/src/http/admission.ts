/**
 * Admission control for one isolate: at most `maxInFlight` task requests are worked on at once and at most
 * `maxQueued` more wait their turn, first in first out. A request comes here only once its body has arrived
 * (bodyGuard buffers it first), so a slow upload never holds a slot and a waiting request's body deadline never runs
 * while it waits for someone else. One isolate runs one request's JS at a time, so more in flight only adds memory.
 *
 * Overload sheds instead of degrading: a request that cannot start within `maxWaitMs` is refused at once (503
 * `overloaded`), judged from the measured drain rate (how long a request holds its slot, averaged), not after it
 * has waited. `Retry-After` is the time the measured rate needs to drain the queue as it stands. A request whose
 * wait still runs past `maxWaitMs` (the estimate was wrong) is refused then.
 *
 * A request that would be refused may instead spill to the GPU tier while `spill()` says it can take work (a GPU
 * tier configured, its breaker closed) and the caller did not ask for `tier=edge`: at most `maxSpilled` at once,
 * each marked `edgeFull` so that routing sends it to the GPU (the edge answers it `overloaded`; see tiered.ts).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';
import type { AppEnv } from './deps';

export interface AdmissionOptions {
  /** Requests worked on at once (default 4). */
  maxInFlight?: number;
  /** Requests waiting for a turn (default 16). */
  maxQueued?: number;
  /** The longest a request may wait for its turn (default 5 s): one that would wait longer is refused at once. */
  maxWaitMs?: number;
  /** Whether refused work may go to the GPU tier now. Absent: never. */
  spill?: () => boolean;
  /** Requests spilled to the GPU tier at once (default: `maxInFlight`). They decode and preprocess here and hold
   * their image while the GPU answers, so this bounds that memory as `maxInFlight` does for the edge. */
  maxSpilled?: number;
  /** The clock, in ms (tests inject one). */
  now?: () => number;
}

/** Weight of the newest sample in the average time a request holds a slot. */
const SMOOTHING = 0.2;
/** Bounds on `Retry-After`, seconds. */
const MIN_RETRY_S = 1;
const MAX_RETRY_S = 60;

/** The drain rate as measured: how long a request holds its slot (an exponentially weighted average). */
export function createDrainMeter(slots: number) {
  let holdMs: number | undefined;
  return {
    /** A request held its slot `ms`. */
    record(ms: number) {
      holdMs = holdMs === undefined ? ms : holdMs + SMOOTHING * (ms - holdMs);
    },
    /** How long until `n` more slots have come free, ms; undefined before anything was measured. */
    msUntil(n: number): number | undefined {
      return holdMs === undefined ? undefined : (n * holdMs) / slots;
    },
  };
}

export function admission({ maxInFlight = 4, maxQueued = 16, maxWaitMs = 5_000, spill, maxSpilled = maxInFlight, now = Date.now }: AdmissionOptions = {}): MiddlewareHandler<AppEnv> {
  let inFlight = 0;
  let spilled = 0;
  /** Tickets of the waiting requests, oldest first. */
  const queue: number[] = [];
  let nextTicket = 0;
  const meter = createDrainMeter(maxInFlight);

  const retryAfter = (waiting: number) => {
    const ms = meter.msUntil(waiting + 1);
    return ms === undefined ? MIN_RETRY_S : Math.min(MAX_RETRY_S, Math.max(MIN_RETRY_S, Math.ceil(ms / 1000)));
  };
  const overloaded = (why: string) => {
    const seconds = retryAfter(queue.length);
    return new ApiError('overloaded', `The worker is at capacity (${why}); retry after ${seconds} s.`, undefined, { retryAfterSeconds: seconds });
  };

  const work = async (next: () => Promise<void>) => {
    inFlight++;
    const start = now();
    try {
      await next();
    } finally {
      inFlight--;
      meter.record(now() - start);
    }
  };

  const spillOrRefuse = async (c: Context<AppEnv>, next: () => Promise<void>, why: string) => {
    const mayGo = spilled < maxSpilled && c.req.query('tier') !== 'edge' && spill?.() === true;
    if (!mayGo) throw overloaded(why);
    spilled++;
    c.set('edgeFull', true);
    try {
      await next();
    } finally {
      spilled--;
    }
  };

  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    if (inFlight < maxInFlight && queue.length === 0) return work(next);

    if (queue.length >= maxQueued) return spillOrRefuse(c, next, `${maxInFlight} in flight, ${maxQueued} waiting`);
    const expected = meter.msUntil(queue.length + 1);
    if (expected !== undefined && expected > maxWaitMs) {
      return spillOrRefuse(c, next, `${queue.length} waiting would take about ${Math.ceil(expected / 1000)} s`);
    }

    // A waiting request looks for its turn on its own timer. It must not wait on a promise that the finishing
    // request settles: workerd does not run a continuation resolved from another request's context (the waiter
    // hangs, or the runtime cancels it as hung). First in, first out: only the oldest waiter takes a free slot.
    const ticket = nextTicket++;
    queue.push(ticket);
    try {
      const start = now();
      for (let delay = 1; !(queue[0] === ticket && inFlight < maxInFlight); delay = Math.min(10, delay * 2)) {
        if (c.req.raw.signal.aborted) throw new ApiError('invalid_request', 'The client went away.');
        if (now() - start > maxWaitMs) throw overloaded(`waited ${Math.round(maxWaitMs / 1000)} s for a turn`);
        await new Promise((ok) => setTimeout(ok, delay));
      }
    } finally {
      queue.splice(queue.indexOf(ticket), 1);
    }
    return work(next);
  };
}
