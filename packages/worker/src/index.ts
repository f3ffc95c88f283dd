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
import { createGpuTier, type GpuEnv, gpuConfigFromEnv } from './providers/gpu-tier';
import { createPipelineProvider, type ModelFiles } from './providers/pipeline';
import litertGlue from './runtimes/litert-glue.js';
import { createLiteRtRuntime } from './runtimes/litert';
import { createOrtWebRuntime } from './runtimes/ort-web';
import type { Runtime } from './runtimes/types';
import type { ArtifactSpec } from './models/manifest';

enableCodecs({ jpeg: jpegTurboWasm, webp: webpWasm });

export interface Env extends GpuEnv {
  /** Static assets binding holding the installed model pack (wrangler.toml [assets]). */
  MODELS: Fetcher;
  /** Comma-separated API keys; unset or empty disables authentication. */
  API_KEYS?: string;
  /** Memory budget for resident models, MiB (default 80). */
  MODEL_BUDGET_MB?: string;
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
          runtimes: workerdRuntimes(),
          files,
          budgetMb: env.MODEL_BUDGET_MB ? Number(env.MODEL_BUDGET_MB) : undefined,
        }),
        apiKeys: (env.API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
        ...(gpu && !('problem' in gpu) ? { gpu: createGpuTier(gpu, files) } : {}),
        ...(gpu && 'problem' in gpu ? { gpuProblem: gpu.problem } : {}),
      });
    })();
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
