/**
 * The GPU tier of this isolate: configuration from wrangler vars/secrets (GPU_URL, GPU_API_KEY, GPU_TIMEOUT_MS), the
 * OIP v2 runtime on the seam, its circuit breaker and last error, and the task provider: the same pipelines as the
 * edge (providers/pipeline.ts) over the `oip-v2` runtime, so both tiers preprocess and postprocess identically.
 */
import type { ArtifactSpec } from '../models/manifest';
import { oipArtifactOf } from '../models/placement';
import { createOipRuntime, type OipRuntime } from '../runtimes/oip-v2/runtime';
import type { Runtime } from '../runtimes/types';
import { createBreaker } from './breaker';
import { createPipelineProvider, type ModelFiles, type PipelineProvider } from './pipeline';
import type { GpuTierState } from './routing';

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
  /** Time kept for the edge after a failed GPU attempt, ms. Default: 2000 (at most half the timeout). */
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

/** The OIP runtime on the seam: manifest artifacts in, the tensors the server must accept and return derived from them. */
export function oipSeamRuntime(oip: OipRuntime): Runtime<ArtifactSpec> {
  return {
    name: 'oip-v2',
    kind: 'remote',
    load: ({ artifact, signal }) => oip.load({ artifact: oipArtifactOf(artifact), ...(signal ? { signal } : {}) }),
    memoryBytes: () => 0,
  };
}

export interface GpuTier {
  readonly runtime: OipRuntime;
  readonly state: GpuTierState;
  readonly timeoutMs: number;
  readonly edgeReserveMs: number;
  /** The task pipelines over the GPU tier. */
  readonly provider: PipelineProvider;
}

/** `files` reads the label lists (the GPU tier holds no model files). */
export function createGpuTier(config: GpuConfig, files: ModelFiles): GpuTier {
  const runtime = createOipRuntime({ baseUrl: config.url, apiKey: config.apiKey, timeoutMs: config.timeoutMs, fetch: config.fetch, now: config.now });
  return {
    runtime,
    state: { breaker: createBreaker({ now: config.now }) },
    timeoutMs: config.timeoutMs,
    edgeReserveMs: config.edgeReserveMs ?? Math.min(2000, Math.floor(config.timeoutMs / 2)),
    provider: createPipelineProvider({ tier: 'gpu', runtimes: [oipSeamRuntime(runtime)], files }),
  };
}
