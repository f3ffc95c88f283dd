/**
 * The task provider the routes call: it picks the tier per request (routing.ts) between the edge provider and the
 * GPU tier, and reports where each answer came from. For a GPU-only model the edge run is its substitute's.
 */
import type { Fallback, Health, Tier, TierOption } from '@cvkit/sdk/contract';
import { findModel, type ModelSpec } from '../models/manifest';
import { placementOf } from '../models/placement';
import type { GpuTier } from './gpu-tier';
import { routeTiers } from './routing';
import type { ClassifyResult, DetectCallOptions, DetectResult, SegmentResult, TaskCall, VisionProvider } from './types';

export interface TieredCall<Options> extends TaskCall<Options> {
  tier: TierOption;
}

export interface TieredResult<R> {
  result: R;
  /** The model that answered: the one asked for, or its edge substitute. */
  model: ModelSpec;
  tier: Tier;
  fallback?: Fallback;
}

export interface TieredProvider {
  classify(call: TieredCall<{ top_k: number }>): Promise<TieredResult<ClassifyResult>>;
  detect(call: TieredCall<DetectCallOptions>): Promise<TieredResult<DetectResult>>;
  segment(call: TieredCall<{ classes?: string[] | undefined }>): Promise<TieredResult<SegmentResult>>;
  /** Where a model may run here, and where `auto` runs it now. */
  tiersOf(model: ModelSpec): { tier: Tier; tiers: Tier[] };
  health(): Health['gpu'];
}

export interface TieredOptions {
  edge: VisionProvider;
  gpu?: GpuTier;
  /** Why a configured GPU tier is off (a bad GPU_URL), for /health. */
  problem?: string;
}

export function createTieredProvider({ edge, gpu, problem }: TieredOptions): TieredProvider {
  async function run<Options, R>(call: TieredCall<Options>, task: (p: VisionProvider, c: TaskCall<Options>) => Promise<R>): Promise<TieredResult<R>> {
    const placement = placementOf(call.model);
    const edgeModel = placement.where === 'gpu' ? (placement.substitute ? findModel(call.model.task, placement.substitute) : undefined) : call.model;
    const { tier: _tier, ...taskCall } = call;
    const routed = await routeTiers<R>({
      tier: call.tier,
      model: call.model.id,
      placement,
      gpu: gpu?.state,
      runEdge: edgeModel ? (signal) => task(edge, { ...taskCall, model: edgeModel, ...(signal ? { signal } : {}) }) : undefined,
      runGpu: (signal) => task((gpu as GpuTier).provider(signal), { ...taskCall, signal }),
      ...(call.signal ? { signal: call.signal } : {}),
      gpuTimeoutMs: gpu?.timeoutMs ?? 0,
      edgeReserveMs: gpu?.edgeReserveMs ?? 0,
    });
    return { ...routed, model: routed.tier === 'edge' && edgeModel ? edgeModel : call.model };
  }

  return {
    classify: (call) => run(call, (p, c) => p.classify(c)),
    detect: (call) => run(call, (p, c) => p.detect(c)),
    segment: (call) => run(call, (p, c) => p.segment(c)),
    tiersOf(model) {
      const p = placementOf(model);
      const tiers: Tier[] = p.where === 'both' ? ['edge', 'gpu'] : [p.where];
      const available = gpu ? tiers : tiers.filter((t) => t === 'edge');
      if (available.length === 0) return { tier: 'gpu', tiers: [] };
      const tier: Tier = available.includes(p.prefer) ? p.prefer : (available[0] as Tier);
      return { tier, tiers: available };
    },
    health() {
      if (!gpu) return { configured: false, ...(problem ? { last_error: { at: new Date().toISOString(), code: 'invalid_config', message: problem } } : {}) };
      const breaker = gpu.state.breaker;
      const retry = breaker.retryAfterSeconds();
      return { configured: true, breaker: breaker.state(), ...(retry > 0 ? { retry_after: retry } : {}), ...(gpu.state.lastError ? { last_error: gpu.state.lastError } : {}) };
    },
  };
}
