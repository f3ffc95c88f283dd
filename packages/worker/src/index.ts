/** The Cloudflare Workers entry: the cvkit API with the edge provider, models from the MODELS assets binding. */
import jpegTurboWasm from '@cwasm/jpeg-turbo/jpeg-turbo.wasm';
import webpWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import { createApp } from './app';
import { createEngine } from './engine/engine';
import { workerdRuntime } from './engine/ort-workerd';
import { enableCodecs } from './image/decode';
import { createEdgeProvider } from './providers/edge';

enableCodecs({ jpeg: jpegTurboWasm, webp: webpWasm });

export interface Env {
  /** Static assets binding holding the installed model pack (wrangler.toml [assets]). */
  MODELS: Fetcher;
  /** Comma-separated API keys; unset or empty disables authentication. */
  API_KEYS?: string;
}

let app: ReturnType<typeof createApp> | undefined;

export default {
  fetch(request, env, ctx) {
    app ??= createApp({
      provider: createEdgeProvider(createEngine(workerdRuntime(env.MODELS))),
      apiKeys: (env.API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    });
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
