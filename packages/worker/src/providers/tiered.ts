/**
 * The provider the routes call: a VisionProvider that picks the tier per request (routing.ts) between the edge
 * provider and the GPU tier's, and says where each answer came from (`model.tier`, and `fallback` when `auto` fell
 * back). For a GPU-only model the edge run is its substitute's.
 */
import type { Health, ModelInfo, Tier } from '@cvkit/sdk/contract';
import { ApiError } from '../errors';
import { findModel, manifest, type ModelSpec } from '../models/manifest';
import { placementOf } from '../models/placement';
import type { GpuTier } from './gpu-tier';
import { isWorkersAiModel, type WorkersAiProvider, workersAiModelInfo, workersAiModels } from './workers-ai';
import { routeTiers } from './routing';
import type { Served, TaskCall, TaskRunner, TieredCall, VisionProvider, WithFallback } from './types';

export type { TieredCall, WithFallback } from './types';

export interface TieredProvider extends VisionProvider, TaskRunner {
  run(call: TieredCall): Promise<WithFallback<Served>>;
  /** The GPU tier's state for /health. */
  health(): Health['gpu'];
  /** Whether work the edge has no room for may go to the GPU tier now: one is configured and its breaker is closed. */
  canSpill(): boolean;
  /** This provider for a request admitted only to spill (http/admission.ts): its edge runs answer `overloaded`, so `auto` goes to the GPU tier. */
  atCapacity(): TieredProvider;
}

export interface TieredOptions {
  edge: VisionProvider;
  gpu?: GpuTier;
  /** Why a configured GPU tier is off (a bad GPU_URL), for /health. */
  problem?: string;
  /** Cloudflare Workers AI (the `[ai]` binding): its `@cf/...` models become requestable by id. */
  workersAi?: WorkersAiProvider;
}

export function createTieredProvider(options: TieredOptions): TieredProvider {
  const full = tiered({ ...options, edge: refusingEdge(options.edge) });
  const atCapacity = (): TieredProvider => ({ ...full, atCapacity });
  return { ...tiered(options), atCapacity };
}

/** The edge provider of a request admitted only to spill: every task answers `overloaded` (routing then spills). */
function refusingEdge(edge: VisionProvider): VisionProvider {
  const refuse = () => Promise.reject(new ApiError('overloaded', 'The worker is at capacity; retry shortly.', undefined, { retryAfterSeconds: 1 }));
  return {
    specificationVersion: 'v1',
    tier: edge.tier,
    models: () => edge.models(),
    ...(edge.labels ? { labels: edge.labels.bind(edge) } : {}),
    run: refuse,
  };
}

/** Workers AI answers whole tasks (image in, labels and boxes out): its own provider, with cvkit's response shapes. */
function workersAiVision(ai: WorkersAiProvider): VisionProvider {
  return {
    specificationVersion: 'v1',
    tier: 'workers-ai',
    models: async () => workersAiModels.map(workersAiModelInfo),
    async run({ image, model, options, timer, signal }) {
      const abort = signal ? { signal } : {};
      switch (model.task) {
        case 'classify': {
          const r = await timer.measureAsync('inference', () => ai.classify({ image: image.bytes, options: options as Parameters<typeof ai.classify>[0]['options'], ...abort }));
          return { model: workersAiModelInfo(model), image: r.image, predictions: r.predictions };
        }
        case 'detect': {
          const r = await timer.measureAsync('inference', () => ai.detect({ image: image.bytes, options: options as Parameters<typeof ai.detect>[0]['options'], ...abort }));
          return { model: workersAiModelInfo(model), image: r.image, detections: r.detections };
        }
        default:
          throw new ApiError('model_not_found', `Workers AI has no ${model.task} model here.`);
      }
    },
  };
}

function tiered({ edge, gpu, problem, workersAi }: TieredOptions): Omit<TieredProvider, 'atCapacity'> {
  const workersAiTier = workersAi ? workersAiVision(workersAi) : undefined;
  /** Every tier the model may run on here (the GPU only while one is configured), and the one `auto` picks now. */
  function tiersOf(model: ModelSpec): { tier: Tier; tiers: Tier[] } {
    const p = placementOf(model);
    const possible: Tier[] = p.where === 'both' ? ['edge', 'gpu'] : [p.where];
    const tiers = gpu ? possible : possible.filter((t) => t === 'edge');
    return { tier: tiers.includes(p.prefer) ? p.prefer : (tiers[0] ?? 'gpu'), tiers };
  }

  async function run(call: TieredCall): Promise<WithFallback<Served>> {
    const task = (p: VisionProvider, c: TaskCall) => p.run(c);
    if (isWorkersAiModel(call.model)) {
      const { tier = 'auto', ...taskCall } = call;
      if (tier !== 'auto') {
        const message = `model '${call.model.id}' runs on Workers AI only; leave tier out (or auto)`;
        throw new ApiError('invalid_option', `Invalid options: tier: ${message}.`, [{ path: 'tier', message }]);
      }
      return task(workersAiTier as VisionProvider, taskCall);
    }
    const placement = placementOf(call.model);
    const edgeModel = placement.where === 'gpu' ? (placement.substitute ? findModel(call.model.task, placement.substitute) : undefined) : call.model;
    const { tier = 'auto', ...taskCall } = call;
    const routed = await routeTiers<Served>({
      tier,
      model: call.model.id,
      placement,
      gpu: gpu?.state,
      runEdge: edgeModel ? (signal) => task(edge, { ...taskCall, model: edgeModel, ...(signal ? { signal } : {}) }) : undefined,
      runGpu: (signal) => task((gpu as GpuTier).provider, { ...taskCall, signal }),
      ...(call.signal ? { signal: call.signal } : {}),
      gpuTimeoutMs: gpu?.timeoutMs ?? 0,
      edgeReserveMs: gpu?.edgeReserveMs ?? 0,
    });
    const answered = routed.result.model;
    const model = { ...answered, tiers: tiersOf(manifest.models.find((m) => m.id === answered.id) ?? call.model).tiers };
    return { ...routed.result, model, ...(routed.fallback ? { fallback: routed.fallback } : {}) };
  }

  return {
    specificationVersion: 'v1',
    tier: 'edge',
    async models() {
      const edgeModels = new Map((await edge.models()).map((m) => [m.id, m]));
      const gpuModels = new Map(gpu ? (await gpu.provider.models()).map((m) => [m.id, m]) : []);
      const out: ModelInfo[] = [];
      for (const model of manifest.models) {
        const { tier, tiers } = tiersOf(model);
        const info = (tier === 'gpu' ? gpuModels.get(model.id) : edgeModels.get(model.id)) ?? edgeModels.get(model.id) ?? gpuModels.get(model.id);
        if (info) out.push({ ...info, tier: info.tier, tiers });
      }
      if (workersAiTier) out.push(...(await workersAiTier.models()));
      return out;
    },
    ...(edge.labels ? { labels: edge.labels.bind(edge) } : {}),
    run,
    canSpill: () => gpu !== undefined && gpu.state.breaker.state() === 'closed',
    findModel(task, id) {
      if (!id?.startsWith('@cf/')) return findModel(task, id);
      if (!workersAi) throw new ApiError('model_not_found', `No ${task} model '${id}': Workers AI models need the worker's [ai] binding (README, "Workers AI").`);
      const cf = workersAiModels.find((m) => m.id === id);
      if (!cf) return findModel(task, id); // not one of them: the manifest's answer, listing what there is
      if (cf.task !== task) throw new ApiError('model_not_found', `Model '${cf.id}' is a ${cf.task} model, not a ${task} model; use /v1/${cf.task}.`);
      return cf;
    },
    health() {
      if (!gpu) return { configured: false, ...(problem ? { last_error: { at: new Date().toISOString(), code: 'invalid_config', message: problem } } : {}) };
      const breaker = gpu.state.breaker;
      const retry = breaker.retryAfterSeconds();
      return { configured: true, breaker: breaker.state(), ...(retry > 0 ? { retry_after: retry } : {}), ...(gpu.state.lastError ? { last_error: gpu.state.lastError } : {}) };
    },
  };
}
