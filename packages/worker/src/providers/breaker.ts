/**
 * A circuit breaker per GPU endpoint. Closed: calls go through and outcomes are counted. It opens after 5
 * consecutive failures, or when more than half of at least 5 calls in the last 60 s failed; it stays open
 * 30 s x the number of trips in a row (at most 300 s), then lets exactly one probe through (half-open): a success
 * closes it (and forgets the trips), a failure opens it again for longer. What counts as a failure is the caller's
 * business (connection errors, timeouts, 5xx, malformed bodies; never 4xx or a caller's abort): `ignore()` ends a
 * call that proved nothing, releasing a probe slot. The clock is injected so every transition is testable.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  now?: () => number;
  /** Consecutive failures that open it. Default 5. */
  consecutiveFailures?: number;
  /** Sliding window for the failure ratio, ms. Default 60 000. */
  windowMs?: number;
  /** Calls in the window before the ratio counts. Default 5. */
  minCalls?: number;
  /** Opens when failures / calls in the window exceed this. Default 0.5. */
  failureRatio?: number;
  /** Open time per trip, ms. Default 30 000. */
  openMs?: number;
  /** Longest open time, ms. Default 300 000. */
  maxOpenMs?: number;
}

export interface BreakerSnapshot {
  state: BreakerState;
  /** Trips in a row (reset by a successful probe). */
  trips: number;
  consecutiveFailures: number;
  /** Calls and failures in the current window. */
  calls: number;
  failures: number;
  /** While open: when the probe becomes allowed (ms on the breaker's clock). */
  openUntil?: number;
}

export interface Breaker {
  /** May a call go out now? In half-open, true exactly once until that probe reports. */
  tryAcquire(): boolean;
  success(): void;
  failure(): void;
  /** The call ended without saying anything about the endpoint (aborted by the caller, refused with a 4xx). */
  ignore(): void;
  state(): BreakerState;
  /** Seconds until a call may go out again; 0 when closed or half-open. */
  retryAfterSeconds(): number;
  snapshot(): BreakerSnapshot;
}

export function createBreaker(options: BreakerOptions = {}): Breaker {
  const now = options.now ?? Date.now;
  const maxConsecutive = options.consecutiveFailures ?? 5;
  const windowMs = options.windowMs ?? 60_000;
  const minCalls = options.minCalls ?? 5;
  const ratio = options.failureRatio ?? 0.5;
  const openMs = options.openMs ?? 30_000;
  const maxOpenMs = options.maxOpenMs ?? 300_000;

  let open: { until: number } | undefined;
  let probing = false;
  let trips = 0;
  let consecutive = 0;
  let window: { at: number; failed: boolean }[] = [];

  const prune = () => {
    const since = now() - windowMs;
    if (window.length > 0 && (window[0] as { at: number }).at <= since) window = window.filter((c) => c.at > since);
  };

  const state = (): BreakerState => (open ? (now() >= open.until ? 'half-open' : 'open') : 'closed');

  const trip = () => {
    trips += 1;
    open = { until: now() + Math.min(openMs * trips, maxOpenMs) };
    probing = false;
    consecutive = 0;
    window = [];
  };

  return {
    tryAcquire() {
      const s = state();
      if (s === 'closed') return true;
      if (s === 'open' || probing) return false;
      probing = true;
      return true;
    },
    success() {
      if (open) {
        // Only the probe reports while not closed; its success closes the breaker.
        if (state() !== 'half-open') return;
        open = undefined;
        probing = false;
        trips = 0;
        consecutive = 0;
        window = [];
        return;
      }
      consecutive = 0;
      prune();
      window.push({ at: now(), failed: false });
    },
    failure() {
      if (open) {
        if (state() === 'half-open') trip();
        return;
      }
      consecutive += 1;
      prune();
      window.push({ at: now(), failed: true });
      const failed = window.filter((c) => c.failed).length;
      if (consecutive >= maxConsecutive || (window.length >= minCalls && failed / window.length > ratio)) trip();
    },
    ignore() {
      if (open && state() === 'half-open') probing = false;
    },
    state,
    retryAfterSeconds() {
      return open && state() === 'open' ? Math.max(1, Math.ceil((open.until - now()) / 1000)) : 0;
    },
    snapshot() {
      prune();
      const s = state();
      return {
        state: s,
        trips,
        consecutiveFailures: consecutive,
        calls: window.length,
        failures: window.filter((c) => c.failed).length,
        ...(open ? { openUntil: open.until } : {}),
      };
    },
  };
}
