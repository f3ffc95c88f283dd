/**
 * The GPU tier of this isolate: configuration from wrangler vars/secrets (GPU_URL, GPU_API_KEY, GPU_TIMEOUT_MS), the
 * OIP v2 runtime, its circuit breaker and last error, and a task provider that runs the edge's own task code with
 * the network call in place of the in-isolate inference, so both tiers preprocess and postprocess identically.
 */
import type { Engine } from '../engine/engine';
import type { ModelSpec } from '../models/manifest';
import { oipArtifact, remoteModel } from '../models/placement';
import { createOipRuntime, type OipRuntime } from '../runtimes/oip-v2/runtime';
import { tensor, type LoadedModel, type Tensors } from '../runtimes/types';
import { createBreaker } from './breaker';
import { createEdgeProvider } from './edge';
import type { GpuTierState } from './routing';
import type { VisionProvider } from './types';

export interface GpuEnv {
  /** Base URL of an OIP v2 server (Triton, KServe, `npm run gpu`); unset or empty: no GPU tier. */
  GPU_URL?: string;
  /** Sent as `Authorization: Bearer <key>` (a secret: `wrangler secret put GPU_API_KEY`). */
  GPU_API_KEY?: string;
  /** Time for one GPU call, ms (default 10000). With a fallback, the attempt leaves 2 s of it for the edge. */
  GPU_TIMEOUT_MS?: string;
}

export interface GpuConfig {
  url: string;
  apiKey?: string;
  timeoutMs: number;
  /** Time kept for the edge after a failed GPU attempt, ms. Default: 2000. */
  edgeReserveMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export const DEFAULT_GPU_TIMEOUT_MS = 10_000;

/** The configuration in the environment, `undefined` when no GPU tier is configured, or what is wrong with it. */
export function gpuConfigFromEnv(env: GpuEnv): GpuConfig | { problem: string } | undefined {
  const url = env.GPU_URL?.trim();
  if (!url) return undefined;
  if (!/^https?:\/\/[^/\s]+/i.test(url)) return { problem: `GPU_URL '${url.slice(0, 80)}' is not an http(s) URL; the GPU tier is off.` };
  const raw = env.GPU_TIMEOUT_MS?.trim();
  const timeoutMs = raw ? Number(raw) : DEFAULT_GPU_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 300_000) {
    return { problem: `GPU_TIMEOUT_MS '${raw}' is not a whole number of milliseconds in 100..300000; the GPU tier is off.` };
  }
  const apiKey = env.GPU_API_KEY?.trim();
  return { url, timeoutMs, ...(apiKey ? { apiKey } : {}) };
}

export interface GpuTier {
  readonly runtime: OipRuntime;
  readonly state: GpuTierState;
  readonly timeoutMs: number;
  readonly edgeReserveMs: number;
  /** The task provider for one request: its GPU calls follow `signal` (the caller's, within the tier deadline). */
  provider(signal: AbortSignal): VisionProvider;
}

export function createGpuTier(config: GpuConfig, labels: Pick<Engine, 'labels'>): GpuTier {
  const runtime = createOipRuntime({ baseUrl: config.url, apiKey: config.apiKey, timeoutMs: config.timeoutMs, fetch: config.fetch, now: config.now });
  const state: GpuTierState = { breaker: createBreaker({ now: config.now }) };
  // Loaded models, not pending loads: no request waits on a promise another request started (workerd).
  const loaded = new Map<string, LoadedModel>();
  const load = async (model: ModelSpec) => {
    const known = loaded.get(model.id);
    if (known) return known;
    const artifact = oipArtifact(model);
    if (!artifact) throw new Error(`model ${model.id} is not served on the GPU tier`);
    const fresh = await runtime.load({ artifact });
    loaded.set(model.id, fresh);
    return fresh;
  };

  /** The edge's Engine contract, with `run` as an OIP call: the task code above it does not change. */
  const engineFor = (signal: AbortSignal): Engine => ({
    resident: () => [],
    session: () => Promise.reject(new Error('the GPU tier holds no sessions')),
    labels: (model) => labels.labels(model),
    async run(model, input, context = {}) {
      const artifact = oipArtifact(model);
      const image = artifact?.inputs[0];
      if (!artifact || !image) throw new Error(`model ${model.id} is not served on the GPU tier`);
      const feeds: Tensors = { [image.name]: tensor('float32', input, image.shape) };
      for (const feed of model.feeds) {
        const size = context.imageSize;
        if (!size) throw new Error(`model ${model.id} needs the image size for its '${feed.name}' input`);
        feeds[feed.name] = tensor('int64', BigInt64Array.from([BigInt(size.width), BigInt(size.height)]), [1, 2]);
      }
      const outputs = await (await load(model)).run(feeds, { signal });
      // Seam tensors carry `data` and `dims`, which is all the task code reads from ORT's.
      return outputs as unknown as Awaited<ReturnType<Engine['run']>>;
    },
  });

  return {
    runtime,
    state,
    timeoutMs: config.timeoutMs,
    edgeReserveMs: config.edgeReserveMs ?? Math.min(2000, Math.floor(config.timeoutMs / 2)),
    provider(signal) {
      const tasks = createEdgeProvider(engineFor(signal));
      return {
        specificationVersion: 'v1',
        tier: 'gpu',
        classify: (call) => tasks.classify({ ...call, model: remoteModel(call.model) }),
        detect: (call) => tasks.detect({ ...call, model: remoteModel(call.model) }),
        segment: (call) => tasks.segment({ ...call, model: remoteModel(call.model) }),
      };
    },
  };
}
