/** The Cloudflare Workers entry: the cvkit API with the edge provider, models from the MODELS assets binding. */
import jpegTurboWasm from '@cwasm/jpeg-turbo/jpeg-turbo.wasm';
import webpWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import { createApp } from './app';
import { createEngine } from './engine/engine';
import { workerdRuntime } from './engine/ort-workerd';
import { enableCodecs } from './image/decode';
import { createEdgeProvider } from './providers/edge';
import { createGpuTier, type GpuEnv, gpuConfigFromEnv } from './providers/gpu-tier';

enableCodecs({ jpeg: jpegTurboWasm, webp: webpWasm });

export interface Env extends GpuEnv {
  /** Static assets binding holding the installed model pack (wrangler.toml [assets]). */
  MODELS: Fetcher;
  /** Comma-separated API keys; unset or empty disables authentication. */
  API_KEYS?: string;
}

let app: ReturnType<typeof createApp> | undefined;

export default {
  fetch(request, env, ctx) {
    app ??= (() => {
      const engine = createEngine(workerdRuntime(env.MODELS));
      const gpu = gpuConfigFromEnv(env);
      if (gpu && 'problem' in gpu) console.error(gpu.problem);
      return createApp({
        provider: createEdgeProvider(engine),
        apiKeys: (env.API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
        ...(gpu && !('problem' in gpu) ? { gpu: createGpuTier(gpu, engine) } : {}),
        ...(gpu && 'problem' in gpu ? { gpuProblem: gpu.problem } : {}),
      });
    })();
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
