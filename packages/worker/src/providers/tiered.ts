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
import type { RemoteService } from './remote-service';
import { serviceKinds } from './services';
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
  /** Configured remote services (providers/services.ts: Workers AI with the `[ai]` binding): their models become requestable by id. */
  services?: readonly RemoteService[];
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

function tiered({ edge, gpu, problem, services = [] }: TieredOptions): Omit<TieredProvider, 'atCapacity'> {
  const serviceOf = (model: ModelSpec) => services.find((s) => s.models.some((m) => m.id === model.id));
  /** Every tier the model may run on here (the GPU only while one is configured), and the one `auto` picks now. */
  function tiersOf(model: ModelSpec): { tier: Tier; tiers: Tier[] } {
    const p = placementOf(model);
    const possible: Tier[] = p.where === 'both' ? ['edge', 'gpu'] : [p.where];
    const tiers = gpu ? possible : possible.filter((t) => t === 'edge');
    return { tier: tiers.includes(p.prefer) ? p.prefer : (tiers[0] ?? 'gpu'), tiers };
  }

  async function run(call: TieredCall): Promise<WithFallback<Served>> {
    const task = (p: VisionProvider, c: TaskCall) => p.run(c);
    const service = serviceOf(call.model);
    if (service) return runService(service, call);
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

  /**
   * A remote service's model: routed as a GPU-only model whose substitute is the task's default edge model, under
   * the service's own breaker and deadline; `fallback.from` names the service.
   */
  async function runService(service: RemoteService, call: TieredCall): Promise<WithFallback<Served>> {
    const { tier = 'auto', ...taskCall } = call;
    if (tier !== 'auto') {
      const message = `model '${call.model.id}' runs on ${service.name} only; leave tier out (or auto)`;
      throw new ApiError('invalid_option', `Invalid options: tier: ${message}.`, [{ path: 'tier', message }]);
    }
    const substitute = findModel(call.model.task, undefined);
    const routed = await routeTiers<Served>({
      tier,
      model: call.model.id,
      placement: { where: 'gpu', prefer: 'gpu', substitute: substitute.id },
      gpu: service.state,
      remote: service.name,
      runEdge: (signal) => edge.run({ ...taskCall, model: substitute, ...(signal ? { signal } : {}) }),
      runGpu: (signal) => service.provider.run({ ...taskCall, signal }),
      ...(call.signal ? { signal: call.signal } : {}),
      gpuTimeoutMs: service.timeoutMs,
      edgeReserveMs: service.edgeReserveMs,
    });
    const fallback = routed.fallback && { ...routed.fallback, from: routed.fallback.from === 'gpu' ? service.tier : routed.fallback.from };
    return { ...routed.result, ...(fallback ? { fallback } : {}) };
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
      for (const service of services) out.push(...(await service.provider.models()));
      return out;
    },
    ...(edge.labels ? { labels: edge.labels.bind(edge) } : {}),
    run,
    canSpill: () => gpu !== undefined && gpu.state.breaker.state() === 'closed',
    findModel(task, id) {
      const kind = id === undefined ? undefined : serviceKinds.find((k) => id.startsWith(k.prefix));
      if (!kind || id === undefined) return findModel(task, id);
      const service = services.find((s) => s.prefix === kind.prefix);
      if (!service) throw new ApiError('model_not_found', `No ${task} model '${id}': ${kind.setup}.`);
      const found = service.models.find((m) => m.id === id);
      if (!found) return findModel(task, id); // not one of them: the manifest's answer, listing what there is
      if (found.task !== task) throw new ApiError('model_not_found', `Model '${found.id}' is a ${found.task} model, not a ${task} model; use /v1/${found.task}.`);
      return found;
    },
    health() {
      if (!gpu) return { configured: false, ...(problem ? { last_error: { at: new Date().toISOString(), code: 'invalid_config', message: problem } } : {}) };
      const breaker = gpu.state.breaker;
      const retry = breaker.retryAfterSeconds();
      return { configured: true, breaker: breaker.state(), ...(retry > 0 ? { retry_after: retry } : {}), ...(gpu.state.lastError ? { last_error: gpu.state.lastError } : {}) };
    },
  };
}
