import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { abortError, UpstreamFailure } from '../runtimes/oip-v2/upstream-error';
import { createBreaker } from './breaker';
import { type GpuTierState, type Placement, type RouteRequest, routeTiers } from './routing';

const both: Placement = { where: 'both', prefer: 'gpu' };
const edgeFirst: Placement = { where: 'both', prefer: 'edge' };

function timers() {
  const armed: { fn: () => void; ms: number }[] = [];
  return {
    setTimeout: (fn: () => void, ms: number) => armed.push({ fn, ms }),
    clearTimeout: () => {},
    armed,
    fire: () => armed.splice(0).forEach((t) => t.fn()),
  };
}

function setup(overrides: Partial<RouteRequest<string>> = {}) {
  const t = timers();
  const gpu: GpuTierState = { breaker: createBreaker({ now: () => 0 }) };
  const calls = { edge: 0, gpu: 0 };
  const request: RouteRequest<string> = {
    tier: 'auto',
    model: 'm',
    placement: both,
    gpu,
    runEdge: async () => (calls.edge++, 'edge-answer'),
    runGpu: async () => (calls.gpu++, 'gpu-answer'),
    gpuTimeoutMs: 8000,
    edgeReserveMs: 3000,
    now: () => 0,
    ...t,
    ...overrides,
  };
  return { request, gpu, calls, t };
}

const failing = (error: Error) => async () => {
  throw error;
};
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);

describe('auto', () => {
  it('runs the preferred tier: edge-preferring models never touch the GPU', async () => {
    const { request, calls } = setup({ placement: edgeFirst });
    expect(await routeTiers(request)).toEqual({ result: 'edge-answer', tier: 'edge' });
    expect(calls.gpu).toBe(0);
  });

  it('a GPU-preferring model runs on the GPU while it is healthy', async () => {
    const { request, calls } = setup();
    expect(await routeTiers(request)).toEqual({ result: 'gpu-answer', tier: 'gpu' });
    expect(calls.edge).toBe(0);
  });

  it('falls back to the edge in the same request, with the reason, and counts the failure', async () => {
    const { request, gpu, calls } = setup({ runGpu: failing(new UpstreamFailure('server', 'The GPU tier failed (500): "boom".')) });
    const routed = await routeTiers(request);
    expect(routed).toEqual({ result: 'edge-answer', tier: 'edge', fallback: { from: 'gpu', reason: 'upstream_error', message: 'The GPU tier failed (500): "boom".' } });
    expect(calls.edge).toBe(1);
    expect(gpu.breaker.snapshot()).toMatchObject({ consecutiveFailures: 1, failures: 1 });
    expect(gpu.lastError).toMatchObject({ code: 'upstream_error' });
  });

  it('without a GPU tier configured, a model that may run on both is an edge model (no fallback to report)', async () => {
    const { request } = setup({ gpu: undefined });
    expect(await routeTiers(request)).toEqual({ result: 'edge-answer', tier: 'edge' });
  });

  it('the GPU attempt gets the deadline minus the edge reserve; past it, the edge answers', async () => {
    let seen: AbortSignal | undefined;
    const { request, t, gpu } = setup({
      runGpu: (signal) =>
        new Promise((_ok, fail) => {
          seen = signal;
          signal.addEventListener('abort', () => fail(abortError()));
        }),
    });
    const routed = routeTiers(request);
    await Promise.resolve();
    expect(t.armed.map((a) => a.ms)).toEqual([5000]);
    t.fire();
    expect(await routed).toMatchObject({ tier: 'edge', fallback: { from: 'gpu', reason: 'timeout', message: 'The GPU tier did not answer within 5000 ms.' } });
    expect(seen?.aborted).toBe(true);
    expect(gpu.breaker.snapshot().failures).toBe(1);
  });

  it('five failures open the breaker; then the GPU is not called and the fallback says why', async () => {
    const { request, gpu, calls } = setup({ runGpu: failing(new UpstreamFailure('connection', 'Could not reach the GPU tier.')) });
    for (let i = 0; i < 5; i++) await routeTiers(request);
    expect(gpu.breaker.state()).toBe('open');
    const before = calls.gpu;
    const routed = await routeTiers({ ...request, runGpu: async () => (calls.gpu++, 'gpu-answer') });
    expect(calls.gpu).toBe(before);
    expect(routed.fallback).toMatchObject({ from: 'gpu', reason: 'upstream_unavailable' });
    expect(routed.fallback?.message).toMatch(/circuit breaker is open/);
  });

  it('a GPU-only model falls back only to its substitute, and says which model was asked for', async () => {
    const { request } = setup({ placement: { where: 'gpu', prefer: 'gpu', substitute: 'small' }, runGpu: failing(new UpstreamFailure('timeout', 't')) });
    expect(await routeTiers(request)).toMatchObject({ tier: 'edge', fallback: { from: 'gpu', reason: 'timeout', substitute_for: 'm' } });
    const none = setup({ placement: { where: 'gpu', prefer: 'gpu' }, runEdge: undefined, runGpu: failing(new UpstreamFailure('timeout', 't')) });
    expect(await rejection(routeTiers(none.request))).toMatchObject({ code: 'timeout' });
    // No substitute: the GPU attempt gets the whole GPU timeout.
    const whole = setup({ placement: { where: 'gpu', prefer: 'gpu' }, runEdge: undefined });
    await routeTiers(whole.request);
    expect(whole.t.armed.map((a) => a.ms)).toEqual([8000]);
  });

  it('a GPU-only model with a substitute and no GPU tier: the substitute answers, and says so', async () => {
    const { request } = setup({ gpu: undefined, placement: { where: 'gpu', prefer: 'gpu', substitute: 'small' } });
    expect(await routeTiers(request)).toMatchObject({ tier: 'edge', fallback: { from: 'gpu', reason: 'upstream_unavailable', substitute_for: 'm' } });
  });

  it("the caller's abort is not a failure and falls back to nothing", async () => {
    const controller = new AbortController();
    const { request, gpu, calls } = setup({
      signal: controller.signal,
      runGpu: (signal) => new Promise((_ok, fail) => signal.addEventListener('abort', () => fail(abortError()))),
    });
    const routed = routeTiers(request);
    await Promise.resolve();
    controller.abort();
    expect((await rejection(routed))?.name).toBe('AbortError');
    expect(calls.edge).toBe(0);
    expect(gpu.breaker.snapshot()).toMatchObject({ state: 'closed', calls: 0 });
  });

  it("a caller's error (4xx) raised on the GPU path is the answer: no fallback, no failure counted", async () => {
    const { request, gpu, calls } = setup({ runGpu: failing(new ApiError('invalid_option', 'Invalid options: classes: nope.')) });
    expect(await rejection(routeTiers(request))).toMatchObject({ code: 'invalid_option' });
    expect(calls.edge).toBe(0);
    expect(gpu.breaker.snapshot().calls).toBe(0);
  });

  it('a saturated isolate spills edge-preferring work to a healthy GPU tier', async () => {
    const { request } = setup({ placement: edgeFirst, runEdge: failing(new ApiError('overloaded', 'The isolate is busy.')) });
    expect(await routeTiers(request)).toEqual({ result: 'gpu-answer', tier: 'gpu', fallback: { from: 'edge', reason: 'overloaded', message: 'The isolate is busy.' } });
    const unconfigured = setup({ placement: edgeFirst, gpu: undefined, runEdge: failing(new ApiError('overloaded', 'busy')) });
    expect(await rejection(routeTiers(unconfigured.request))).toMatchObject({ code: 'overloaded' });
  });
});

describe('tier=gpu', () => {
  it('never falls back: the typed error is the answer', async () => {
    const { request, calls } = setup({ tier: 'gpu', runGpu: failing(new UpstreamFailure('server', 'down', { code: 'upstream_unavailable', retryAfter: 7 })) });
    const error = await rejection(routeTiers(request));
    expect(error).toMatchObject({ code: 'upstream_unavailable', status: 503, retryAfter: 7 });
    expect(calls.edge).toBe(0);
  });

  it('without a GPU URL: 503 saying no GPU tier is configured', async () => {
    const { request } = setup({ tier: 'gpu', gpu: undefined });
    const error = await rejection(routeTiers(request));
    expect(error).toMatchObject({ code: 'upstream_unavailable', status: 503 });
    expect(error?.message).toMatch(/No GPU tier is configured/);
  });

  it('with the breaker open: 503 with Retry-After from the breaker', async () => {
    const { request, gpu } = setup({ tier: 'gpu' });
    for (let i = 0; i < 5; i++) gpu.breaker.failure();
    expect(await rejection(routeTiers(request))).toMatchObject({ code: 'upstream_unavailable', retryAfter: 30 });
  });

  it('runs with the whole GPU timeout', async () => {
    const { request, t } = setup({ tier: 'gpu' });
    expect(await routeTiers(request)).toEqual({ result: 'gpu-answer', tier: 'gpu' });
    expect(t.armed.map((a) => a.ms)).toEqual([8000]);
  });

  it('an edge-only model is an invalid option on the GPU tier, and a GPU-only one on the edge', async () => {
    expect(await rejection(routeTiers(setup({ tier: 'gpu', placement: { where: 'edge', prefer: 'edge' } }).request))).toMatchObject({ code: 'invalid_option' });
    const error = await rejection(routeTiers(setup({ tier: 'edge', placement: { where: 'gpu', prefer: 'gpu', substitute: 'small' } }).request));
    expect(error).toMatchObject({ code: 'invalid_option' });
    expect(error?.message).toContain("its edge counterpart is 'small'");
  });
});
