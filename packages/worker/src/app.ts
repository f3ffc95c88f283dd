/**
 * The cvkit HTTP API as a Hono app, independent of the runtime: index.ts builds it for workerd, tests and the
 * Node entry build it with the Node engine runtime. Every error leaves through `onError` in the one error shape.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { type Health } from '@cvkit/sdk/contract';
import { ApiError, clip, errorBody, toApiError } from './errors';
import { createUrlPolicy, type ImageUrlOptions } from './http/address';
import { admission, type AdmissionOptions } from './http/admission';
import { analyzeRoute } from './http/analyze';
import { createKeyCheck, presentedKey } from './http/auth';
import { bodyGuard } from './http/body-guard';
import { ensureCatalog } from './models/catalog';
import type { AppEnv } from './http/deps';
import { docsRoute } from './http/docs-route';
import { similarityRoute } from './embed/similarity-route';
import { guardFetch } from './http/fetch-image';
import { rateLimit, type RateLimitOptions } from './http/rate-limit';
import { modelsRoute } from './models/route';
import { playgroundRoute } from './playground/route';
import type { GpuTier } from './providers/gpu-tier';
import { createTieredProvider } from './providers/tiered';
import type { RemoteService } from './providers/remote-service';
import type { VisionProvider } from './providers/types';
import { serveTask } from './http/serve-task';
import { tasks } from './tasks';

export type { AppEnv, RouteDeps } from './http/deps';

export const VERSION = '0.1.0';

export interface AppOptions {
  provider: VisionProvider;
  /** Accepted API keys; empty means no authentication (local development). */
  apiKeys?: string[];
  /** Fetch used for image URLs (behind the URL policy: see `imageUrls`). */
  fetch?: typeof fetch;
  /** Which image URLs may be fetched: allowlist, denylist, https only. Default: any public host. */
  imageUrls?: ImageUrlOptions;
  /** Per-isolate bounds on task requests in flight and waiting (503 `overloaded` beyond). */
  admission?: AdmissionOptions;
  /** Rate limiters (Workers rate-limiting bindings); off when absent. */
  rateLimits?: RateLimitOptions;
  /** How long a request body may take to arrive (ms) before 408 `request_timeout`. */
  bodyTimeoutMs?: number;
  /** The remote GPU tier (providers/gpu-tier.ts); absent: edge only. */
  gpu?: GpuTier;
  /** Why a configured GPU tier is off (reported by /health). */
  gpuProblem?: string;
  /** Configured remote services (providers/services.ts; Workers AI with the `[ai]` binding); absent: their models are not served. */
  services?: readonly RemoteService[];
  /** Reads the user's installed catalog.json (models/catalog.ts), undefined when there is none; absent: built-in models only. */
  catalog?: () => Promise<Uint8Array | undefined>;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function createApp({ provider: edge, apiKeys = [], fetch: fetcher = (...a) => fetch(...a), gpu, gpuProblem, services, catalog, ...limits }: AppOptions) {
  const app = new Hono<AppEnv>();
  const provider = createTieredProvider({ edge, ...(gpu ? { gpu } : {}), ...(gpuProblem ? { problem: gpuProblem } : {}), ...(services ? { services } : {}) });
  const keys = createKeyCheck(apiKeys);
  const imageFetch = guardFetch(fetcher, { policy: createUrlPolicy(limits.imageUrls) });

  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    await next();
    c.header('x-request-id', id);
  });

  // The user's models join the built-in ones on the first request that needs the model list (read once per isolate).
  if (catalog) app.use('*', async (_c, next) => {
    await ensureCatalog(catalog);
    return next();
  });

  app.use('*', cors({ origin: '*', exposeHeaders: ['x-request-id', 'retry-after', 'server-timing', 'x-detections', 'x-should-retry', 'x-cvkit-tier'], maxAge: 86400 }));

  app.use('/v1/*', async (c, next) => {
    if (!keys.enabled || c.req.method === 'OPTIONS') return next();
    const key = presentedKey(c);
    const id = await keys.verify(key);
    if (!id) throw new ApiError('unauthorized', key ? 'The API key is not valid.' : 'Missing API key: send `Authorization: Bearer <key>`.');
    c.set('keyId', id);
    return next();
  });
  // Order matters: limits are counted before the body is read; the body arrives in full (bodyGuard, its own deadline)
  // before admission gives the request a working slot, so a slow upload never holds one.
  app.use('/v1/*', rateLimit(limits.rateLimits ?? {}, (c) => c.get('keyId')), bodyGuard({ timeoutMs: limits.bodyTimeoutMs }), admission({ spill: () => provider.canSpill(), ...limits.admission }));

  // Which isolate answered: a crash restarts the isolate (and changes this), so tests can prove that none happened.
  let isolate: string | undefined;
  // Bare liveness for anyone; version, isolate and the GPU tier's state only with a valid key when keys are set.
  app.get('/health', async (c) =>
    c.json(
      (keys.enabled && !(await keys.verify(presentedKey(c)))
        ? { status: 'ok' }
        : { status: 'ok', version: VERSION, isolate: (isolate ??= crypto.randomUUID()), gpu: provider.health() }) satisfies Health,
    ),
  );

  playgroundRoute(app, VERSION);
  modelsRoute(app, { provider, fetch: imageFetch });
  // Every task of the table answers POST /v1/<task> (one image or a batch) and takes part in /v1/analyze.
  for (const task of Object.values(tasks)) app.post(`/v1/${task.task}`, (c) => serveTask(c, { provider, fetch: imageFetch }, task));
  analyzeRoute(app, { provider, fetch: imageFetch }, Object.values(tasks));
  similarityRoute(app, { provider, fetch: imageFetch });
  // The API description (generated from the contract) and its reference page; both stay open without API keys.
  docsRoute(app, VERSION);

  // Which methods the router would answer on this path (middleware, registered for ALL, does not count).
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
  const answers = (method: string, path: string) =>
    app.router.match(method, path)[0].some((m) => (m[0] as unknown as [unknown, { method: string }])[1].method !== 'ALL');

  app.notFound((c) => {
    const allowed = methods.filter((m) => m !== c.req.method && answers(m, c.req.path));
    if (allowed.length > 0) {
      c.header('allow', allowed.join(', '));
      throw new ApiError('method_not_allowed', `${clip(c.req.method, 16)} is not allowed on ${c.req.path}; use ${allowed.join(' or ')}.`);
    }
    throw new ApiError('not_found', `No route ${clip(c.req.method, 16)} ${clip(c.req.path, 128)}. See GET /v1/models and the README's API table.`);
  });

  app.onError((err, c) => {
    const requestId = c.get('requestId') ?? crypto.randomUUID();
    const body = errorBody(err, requestId);
    const error = toApiError(err);
    c.header('x-request-id', requestId);
    // The SDK (like openai-node) obeys this before its status rules: a deterministic bug is not retried.
    c.header('x-should-retry', String(body.error.retryable));
    if (error.retryAfterSeconds !== undefined) c.header('retry-after', String(error.retryAfterSeconds));
    return c.json(body, error.status as 400);
  });

  return app;
}
