/**
 * Which tier runs a request, and the fallback between them. Given the caller's `tier` option, the model's placement
 * and the GPU tier's state, it runs the preferred tier and, in `auto`, falls back to the other within the same
 * request: no GPU retry first, the fallback is the retry. `tier=gpu` never falls back. One deadline covers the GPU
 * attempt and leaves `edgeReserveMs` of it for the edge. It knows nothing of pipelines: the tiers are callbacks.
 */
import { ApiError } from '../errors';
import { isAbort, isUpstreamFailure, UpstreamFailure } from '../runtimes/oip-v2/upstream-error';
import type { Breaker } from './breaker';

export type TierOption = 'edge' | 'gpu' | 'auto';
export type TierName = 'edge' | 'gpu';

/** Where a model may run and which tier it prefers (manifest data). */
export interface Placement {
  where: 'edge' | 'gpu' | 'both';
  prefer: TierName;
  /** For a GPU-only model: the edge model of the same task that answers when the GPU tier cannot. */
  substitute?: string;
}

/** The GPU tier's shared state in this isolate: its breaker and the last failure, for /health. */
export interface GpuTierState {
  breaker: Breaker;
  lastError?: { at: string; code: string; message: string };
}

export interface Fallback {
  from: TierName;
  /** The error code that made the first tier give up (`upstream_unavailable` for an open breaker, `overloaded` for a saturated isolate). */
  reason: string;
  message: string;
  /** Set when a GPU-only model was answered by its edge substitute: the model that was asked for. */
  substitute_for?: string;
}

export interface Routed<T> {
  result: T;
  tier: TierName;
  fallback?: Fallback;
}

export interface RouteRequest<T> {
  tier: TierOption;
  model: string;
  placement: Placement;
  /** Undefined: no GPU tier is configured. */
  gpu: GpuTierState | undefined;
  /** What the remote tier is called in messages (a remote service's tier name); default the GPU tier. */
  remote?: string;
  /** The edge run: the model itself, or for a GPU-only model its substitute (undefined when it has none). */
  runEdge: ((signal?: AbortSignal) => Promise<T>) | undefined;
  runGpu: (signal: AbortSignal) => Promise<T>;
  signal?: AbortSignal;
  /** Time for the GPU attempt when nothing falls back after it, ms. */
  gpuTimeoutMs: number;
  /** Time kept for the edge after a failed GPU attempt, ms: the attempt gets `gpuTimeoutMs - edgeReserveMs`, at least 1/4 of it. */
  edgeReserveMs: number;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

const fallbackable = (e: unknown): e is UpstreamFailure => isUpstreamFailure(e);

export async function routeTiers<T>(request: RouteRequest<T>): Promise<Routed<T>> {
  const { tier, model, placement, gpu, runEdge } = request;
  const edgeRun = runEdge;
  const substituteFor = placement.where === 'gpu' ? model : undefined;

  if (tier === 'edge') {
    if (placement.where === 'gpu') {
      throw new ApiError(
        'invalid_option',
        `Invalid options: tier: model '${model}' runs only on the GPU tier${placement.substitute ? `; its edge counterpart is '${placement.substitute}'` : ''}.`,
        [{ path: 'tier', message: `model '${model}' runs only on the GPU tier` }],
      );
    }
    return { result: await (edgeRun as (s?: AbortSignal) => Promise<T>)(request.signal), tier: 'edge' };
  }

  if (tier === 'gpu') {
    if (placement.where === 'edge') {
      throw new ApiError('invalid_option', `Invalid options: tier: model '${model}' is not served on the GPU tier; use tier=edge or auto.`, [
        { path: 'tier', message: `model '${model}' is not served on the GPU tier` },
      ]);
    }
    return { result: await attemptGpu(request, request.gpuTimeoutMs), tier: 'gpu' };
  }

  // auto
  const gpuPossible = placement.where !== 'edge';
  const edgePossible = edgeRun !== undefined;
  const gpuFirst = gpuPossible && (placement.where === 'gpu' || placement.prefer === 'gpu');

  if (gpuFirst) {
    // With nothing configured a model that may run on both is simply an edge model: no fallback to report.
    if (!gpu && placement.where === 'both' && edgeRun) return { result: await edgeRun(request.signal), tier: 'edge' };
    if (!edgePossible) return { result: await attemptGpu(request, request.gpuTimeoutMs), tier: 'gpu' };
    try {
      const budget = Math.max(request.gpuTimeoutMs - request.edgeReserveMs, Math.ceil(request.gpuTimeoutMs / 4));
      return { result: await attemptGpu(request, budget), tier: 'gpu' };
    } catch (error) {
      if (!fallbackable(error)) throw error;
      const result = await (edgeRun as (s?: AbortSignal) => Promise<T>)(request.signal);
      return {
        result,
        tier: 'edge',
        fallback: { from: 'gpu', reason: error.code, message: error.message, ...(substituteFor ? { substitute_for: substituteFor } : {}) },
      };
    }
  }

  // Edge first. A saturated isolate (overloaded) may spill to a healthy GPU tier.
  try {
    return { result: await (edgeRun as (s?: AbortSignal) => Promise<T>)(request.signal), tier: 'edge' };
  } catch (error) {
    const spill = error instanceof ApiError && error.code === 'overloaded' && gpuPossible && gpu !== undefined && gpu.breaker.state() === 'closed';
    if (!spill) throw error;
    return { result: await attemptGpu(request, request.gpuTimeoutMs), tier: 'gpu', fallback: { from: 'edge', reason: error.code, message: error.message } };
  }
}

/** One GPU attempt under the breaker and a deadline; the outcome is reported to the breaker. */
async function attemptGpu<T>(request: RouteRequest<T>, timeoutMs: number): Promise<T> {
  const { gpu } = request;
  const name = request.remote ?? 'the GPU tier';
  const Name = name.charAt(0).toUpperCase() + name.slice(1);
  if (!gpu) throw new UpstreamFailure('unavailable', 'No GPU tier is configured: set GPU_URL (see the README), or use tier=edge or auto.', { retryable: false });
  if (!gpu.breaker.tryAcquire()) {
    const retryAfter = gpu.breaker.retryAfterSeconds() || 1;
    throw new UpstreamFailure('unavailable', `${Name}'s circuit breaker is open after repeated failures; it is tried again in ${retryAfter} s.`, { retryAfter });
  }
  const arm = request.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
  const disarm = request.clearTimeout ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const controller = new AbortController();
  const deadline = new UpstreamFailure('timeout', `${Name} did not answer within ${timeoutMs} ms.`);
  const timer = arm(() => controller.abort(deadline), timeoutMs);
  const onAbort = () => controller.abort(request.signal?.reason);
  if (request.signal?.aborted) onAbort();
  else request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await request.runGpu(controller.signal);
    gpu.breaker.success();
    return result;
  } catch (caught) {
    // Whatever the pipeline threw once the deadline fired, the deadline is the reason.
    const error = controller.signal.reason === deadline && !request.signal?.aborted ? deadline : caught;
    if (isAbort(error) || request.signal?.aborted) gpu.breaker.ignore();
    else if (isUpstreamFailure(error) && error.countsAsFailure) gpu.breaker.failure();
    else gpu.breaker.ignore();
    if (isUpstreamFailure(error)) gpu.lastError = { at: new Date((request.now ?? Date.now)()).toISOString(), code: error.code, message: error.message };
    throw error;
  } finally {
    disarm(timer);
    request.signal?.removeEventListener('abort', onAbort);
  }
}
