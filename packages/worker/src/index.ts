/**
 * The Cloudflare Workers entry: the cvkit API with the edge provider (LiteRT.js and onnxruntime-web in the isolate),
 * models from the MODELS assets binding. Host details only: how each runtime's wasm is loaded in workerd.
 */
import jpegTurboWasm from '@cwasm/jpeg-turbo/jpeg-turbo.wasm';
import webpWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import litertWasm from '@litertjs/core/wasm/litert_wasm_compat_internal.wasm';
import * as ort from 'onnxruntime-web/wasm';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import { createApp } from './app';
import { enableCodecs } from './image/decode';
import { CATALOG_FILE } from './models/catalog';
import { createGpuTier, type GpuEnv, gpuConfigFromEnv } from './providers/gpu-tier';
import { serviceKinds } from './providers/services';
import type { AiBinding } from './providers/workers-ai';
import { createPipelineProvider, type ModelFiles } from './providers/pipeline';
import litertGlue from './runtimes/litert-glue.js';
import { createLiteRtRuntime } from './runtimes/litert';
import { createOrtWebRuntime } from './runtimes/ort-web';
import type { Runtime } from './runtimes/types';
import type { ArtifactSpec } from './models/manifest';
import type { RateLimiter } from './http/rate-limit';

enableCodecs({ jpeg: jpegTurboWasm, webp: webpWasm });

export interface Env extends GpuEnv {
  /** Static assets binding holding the installed model pack (wrangler.toml [assets]). */
  MODELS: Fetcher;
  /** Comma-separated API keys, plain or `sha256:<hex>`; unset or empty disables authentication. */
  API_KEYS?: string;
  /** Memory budget for resident models, MiB (default 80). */
  MODEL_BUDGET_MB?: string;
  /** Comma-separated runtime names this worker may use (default: all, e.g. "ort-web" to serve only ONNX files). */
  RUNTIMES?: string;
  /** Image URLs: comma-separated hosts (`*.example.com`), addresses or CIDR ranges; only these when set. */
  IMAGE_URL_ALLOW?: string;
  /** Image URLs: hosts, addresses or ranges never fetched. */
  IMAGE_URL_DENY?: string;
  /** "true": refuse plain http:// image URLs. */
  IMAGE_URL_HTTPS_ONLY?: string;
  /** Task requests worked on at once per isolate (default 4) and waiting (default 16); 503 overloaded beyond. */
  MAX_IN_FLIGHT?: string;
  MAX_QUEUED?: string;
  /** Milliseconds a request body may take to arrive (default 30000). */
  BODY_TIMEOUT_MS?: string;
  /** Workers rate-limiting bindings (wrangler.toml [[ratelimits]]): per API key and per client IP; off when absent. */
  RATE_LIMIT_KEY?: RateLimiter;
  RATE_LIMIT_CLIENT?: RateLimiter;
  /** Cloudflare Workers AI (wrangler.toml `[ai]`): serves `@cf/microsoft/resnet-50` and `@cf/facebook/detr-resnet-50`. */
  AI?: AiBinding;
}

/** The model pack as the MODELS assets binding serves it. */
export function assetFiles(models: Fetcher): ModelFiles {
  const url = (file: string) => new URL(file, 'https://models.cvkit.internal/');
  return {
    async read(file) {
      const res = await models.fetch(url(file));
      if (!res.ok) throw new Error(`model file ${file} is not deployed (HTTP ${res.status}); run \`npm run models\``);
      return new Uint8Array(await res.arrayBuffer());
    },
    async has(file) {
      const res = await models.fetch(url(file), { method: 'HEAD' });
      return res.ok;
    },
  };
}

let runtimes: Runtime<ArtifactSpec>[] | undefined;

/** workerd's runtimes, one of each per isolate; LiteRT.js first only by convention (the manifest's order decides). */
export function workerdRuntimes(): Runtime<ArtifactSpec>[] {
  runtimes ??= [createLiteRtRuntime({ factory: litertGlue(), wasm: litertWasm }), createOrtWebRuntime({ ort, wasm: ortWasm })];
  return runtimes;
}

const list = (value: string | undefined) => (value ?? '').split(',').map((k) => k.trim()).filter(Boolean);
const count = (value: string | undefined) => (value && /^\d+$/.test(value.trim()) ? Number(value) : undefined);

let app: ReturnType<typeof createApp> | undefined;

export default {
  fetch(request, env, ctx) {
    app ??= (() => {
      const files = assetFiles(env.MODELS);
      const gpu = gpuConfigFromEnv(env);
      if (gpu && 'problem' in gpu) console.error(gpu.problem);
      return createApp({
        provider: createPipelineProvider({
          tier: 'edge',
          runtimes: workerdRuntimes().filter((r) => !env.RUNTIMES || env.RUNTIMES.split(',').map((n) => n.trim()).includes(r.name)),
          files,
          budgetMb: env.MODEL_BUDGET_MB ? Number(env.MODEL_BUDGET_MB) : undefined,
        }),
        apiKeys: list(env.API_KEYS),
        imageUrls: { allow: list(env.IMAGE_URL_ALLOW), deny: list(env.IMAGE_URL_DENY), httpsOnly: env.IMAGE_URL_HTTPS_ONLY === 'true' },
        admission: { maxInFlight: count(env.MAX_IN_FLIGHT), maxQueued: count(env.MAX_QUEUED) },
        rateLimits: { perKey: env.RATE_LIMIT_KEY, perClient: env.RATE_LIMIT_CLIENT },
        bodyTimeoutMs: count(env.BODY_TIMEOUT_MS),
        ...(gpu && !('problem' in gpu) ? { gpu: createGpuTier(gpu, files) } : {}),
        ...(gpu && 'problem' in gpu ? { gpuProblem: gpu.problem } : {}),
        catalog: async () => ((await files.has(CATALOG_FILE)) ? files.read(CATALOG_FILE) : undefined),
        services: serviceKinds.flatMap((kind) => kind.create(env as unknown as Record<string, unknown>, files) ?? []),
      });
    })();
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
