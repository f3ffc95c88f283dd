import { describe, expect, it } from 'vitest';
import { createBreaker } from './breaker';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('circuit breaker', () => {
  it('opens after 5 consecutive failures, not 4', () => {
    const c = clock();
    const b = createBreaker({ now: c.now });
    for (let i = 0; i < 4; i++) b.failure();
    expect(b.state()).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    expect(b.state()).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    expect(b.retryAfterSeconds()).toBe(30);
  });

  it('a success resets the consecutive count', () => {
    const b = createBreaker({ now: clock().now });
    for (let i = 0; i < 4; i++) b.failure();
    b.success();
    for (let i = 0; i < 3; i++) b.failure();
    // 7 of 8 calls failed in the window: the ratio rule opens it even without 5 in a row.
    expect(b.snapshot()).toMatchObject({ state: 'open', trips: 1 });
  });

  it('opens when more than half of at least 5 calls in 60 s fail', () => {
    const c = clock();
    const b = createBreaker({ now: c.now });
    // fail, ok, fail, ok: 4 calls, 50%: closed (needs > half and >= 5 calls)
    b.failure();
    b.success();
    b.failure();
    b.success();
    expect(b.state()).toBe('closed');
    b.success(); // 5 calls, 2 failed: 40%
    expect(b.state()).toBe('closed');
    b.failure(); // 6 calls, 3 failed: 50%, not more than half
    expect(b.state()).toBe('closed');
    b.failure(); // 7 calls, 4 failed: 57%
    expect(b.state()).toBe('open');
  });

  it('forgets calls older than the window', () => {
    const c = clock();
    const b = createBreaker({ now: c.now });
    b.failure();
    b.failure();
    b.success();
    c.advance(60_001);
    b.failure();
    b.success();
    b.failure();
    expect(b.snapshot()).toMatchObject({ state: 'closed', calls: 3, failures: 2 });
  });

  it('half-open after the open time: exactly one probe; success closes and forgets the trips', () => {
    const c = clock();
    const b = createBreaker({ now: c.now });
    for (let i = 0; i < 5; i++) b.failure();
    c.advance(29_999);
    expect(b.state()).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    c.advance(1);
    expect(b.state()).toBe('half-open');
    expect(b.retryAfterSeconds()).toBe(0);
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false); // the probe is in flight
    b.success();
    expect(b.snapshot()).toMatchObject({ state: 'closed', trips: 0, calls: 0 });
    expect(b.tryAcquire()).toBe(true);
  });

  it('a failed probe opens it again for 30 s x trips, at most 300 s', () => {
    const c = clock();
    const b = createBreaker({ now: c.now });
    for (let i = 0; i < 5; i++) b.failure();
    const opens: number[] = [];
    for (let trip = 1; trip <= 12; trip++) {
      const until = b.snapshot().openUntil as number;
      opens.push((until - c.now()) / 1000);
      c.advance(until - c.now());
      expect(b.tryAcquire()).toBe(true);
      b.failure();
    }
    expect(opens).toEqual([30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 300, 300]);
    expect(b.snapshot().trips).toBe(13);
  });

  it('an ignored probe (a caller abort, a 4xx) frees the probe slot without closing or reopening', () => {
    const c = clock();
    const b = createBreaker({ now: c.now });
    for (let i = 0; i < 5; i++) b.failure();
    c.advance(30_000);
    expect(b.tryAcquire()).toBe(true);
    b.ignore();
    expect(b.state()).toBe('half-open');
    expect(b.tryAcquire()).toBe(true);
    b.success();
    expect(b.state()).toBe('closed');
  });

  it('ignored calls while closed change nothing', () => {
    const b = createBreaker({ now: clock().now });
    for (let i = 0; i < 10; i++) b.ignore();
    expect(b.snapshot()).toMatchObject({ state: 'closed', calls: 0, consecutiveFailures: 0 });
  });
});
