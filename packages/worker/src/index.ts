/** The Cloudflare Workers entry: the cvkit API with the edge provider, models from the MODELS assets binding. */
import jpegTurboWasm from '@cwasm/jpeg-turbo/jpeg-turbo.wasm';
import webpWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import { createApp } from './app';
import { createEngine } from './engine/engine';
import { workerdRuntime } from './engine/ort-workerd';
import { enableCodecs } from './image/decode';
import type { RateLimiter } from './http/rate-limit';
import { createEdgeProvider } from './providers/edge';

enableCodecs({ jpeg: jpegTurboWasm, webp: webpWasm });

export interface Env {
  /** Static assets binding holding the installed model pack (wrangler.toml [assets]). */
  MODELS: Fetcher;
  /** Comma-separated API keys, plain or `sha256:<hex>`; unset or empty disables authentication. */
  API_KEYS?: string;
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
}

const list = (value: string | undefined) => (value ?? '').split(',').map((k) => k.trim()).filter(Boolean);
const count = (value: string | undefined) => (value && /^\d+$/.test(value.trim()) ? Number(value) : undefined);

let app: ReturnType<typeof createApp> | undefined;

export default {
  fetch(request, env, ctx) {
    app ??= createApp({
      provider: createEdgeProvider(createEngine(workerdRuntime(env.MODELS))),
      apiKeys: list(env.API_KEYS),
      imageUrls: { allow: list(env.IMAGE_URL_ALLOW), deny: list(env.IMAGE_URL_DENY), httpsOnly: env.IMAGE_URL_HTTPS_ONLY === 'true' },
      admission: { maxInFlight: count(env.MAX_IN_FLIGHT), maxQueued: count(env.MAX_QUEUED) },
      rateLimits: { perKey: env.RATE_LIMIT_KEY, perClient: env.RATE_LIMIT_CLIENT },
      bodyTimeoutMs: count(env.BODY_TIMEOUT_MS),
    });
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
