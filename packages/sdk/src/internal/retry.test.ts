import { describe, expect, it } from 'vitest';
import { retryAfterMs, retryDelayMs, shouldRetryStatus } from './retry';

const h = (init: Record<string, string> = {}) => new Headers(init);

describe('shouldRetryStatus', () => {
  it.each([408, 409, 429, 500, 502, 503, 504])('retries %i', (status) => expect(shouldRetryStatus(status, h())).toBe(true));
  it.each([400, 401, 403, 404, 405, 413, 415, 422])('never retries %i', (status) => expect(shouldRetryStatus(status, h())).toBe(false));
  it('obeys x-should-retry both ways', () => {
    expect(shouldRetryStatus(400, h({ 'x-should-retry': 'true' }))).toBe(true);
    expect(shouldRetryStatus(503, h({ 'x-should-retry': 'false' }))).toBe(false);
  });
});

describe('retryAfterMs', () => {
  it('prefers retry-after-ms, then Retry-After in seconds', () => {
    expect(retryAfterMs(h({ 'retry-after-ms': '250', 'retry-after': '3' }))).toBe(250);
    expect(retryAfterMs(h({ 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(h({ 'retry-after': '0.5' }))).toBe(500);
  });
  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(retryAfterMs(h({ 'retry-after': 'Wed, 21 Oct 2026 07:28:02 GMT' }), now)).toBe(2000);
    expect(retryAfterMs(h({ 'retry-after': 'Wed, 21 Oct 2026 07:27:00 GMT' }), now)).toBe(0);
  });
  it('ignores garbage and negatives', () => {
    expect(retryAfterMs(h({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(h({ 'retry-after': '-1' }))).toBeUndefined();
    expect(retryAfterMs(h({ 'retry-after-ms': 'x', 'retry-after': '1' }))).toBe(1000);
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it('is min(0.5 * 2^n, 8) s without jitter when random() is 0', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => retryDelayMs(n, undefined, () => 0))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });
  it('takes off at most 25% as jitter', () => {
    expect(retryDelayMs(0, undefined, () => 1)).toBe(375);
    expect(retryDelayMs(3, undefined, () => 0.5)).toBe(3500);
  });
  it('uses the server-requested wait when under a minute, else the backoff', () => {
    expect(retryDelayMs(0, h({ 'retry-after': '2' }), () => 0)).toBe(2000);
    expect(retryDelayMs(0, h({ 'retry-after': '0' }), () => 0)).toBe(0);
    expect(retryDelayMs(1, h({ 'retry-after': '120' }), () => 0)).toBe(1000);
  });
});
