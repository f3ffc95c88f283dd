/**
 * The cvkit HTTP API as a Hono app, independent of the runtime: index.ts builds it for workerd, tests and the
 * Node entry build it with the Node engine runtime. Every error leaves through `onError` in the one error shape.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { type Health } from '@cvkit/sdk/contract';
import { classifyHandler, classifyRoute } from './classify/route';
import { detectHandler, detectRoute } from './detect/route';
import { ApiError, clip, errorBody, toApiError } from './errors';
import { createUrlPolicy, type ImageUrlOptions } from './http/address';
import { admission, type AdmissionOptions } from './http/admission';
import { analyzeRoute } from './http/analyze';
import { createKeyCheck, presentedKey } from './http/auth';
import { bodyGuard } from './http/body-guard';
import type { AppEnv } from './http/deps';
import { docsRoute } from './http/docs-route';
import { guardFetch } from './http/fetch-image';
import { rateLimit, type RateLimitOptions } from './http/rate-limit';
import { modelsRoute } from './models/route';
import { playgroundRoute } from './playground/route';
import type { GpuTier } from './providers/gpu-tier';
import { createTieredProvider } from './providers/tiered';
import type { WorkersAiProvider } from './providers/workers-ai';
import type { VisionProvider } from './providers/types';
import { segmentHandler, segmentRoute } from './segment/route';

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
  /** Cloudflare Workers AI (providers/workers-ai.ts, the `[ai]` binding); absent: its models are not served. */
  workersAi?: WorkersAiProvider;
}

/** Each task registers its own routes; adding a task is adding a line here. */
const taskRoutes = [classifyRoute, detectRoute, segmentRoute];

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function createApp({ provider: edge, apiKeys = [], fetch: fetcher = (...a) => fetch(...a), gpu, gpuProblem, workersAi, ...limits }: AppOptions) {
  const app = new Hono<AppEnv>();
  const provider = createTieredProvider({ edge, ...(gpu ? { gpu } : {}), ...(gpuProblem ? { problem: gpuProblem } : {}), ...(workersAi ? { workersAi } : {}) });
  const keys = createKeyCheck(apiKeys);
  const imageFetch = guardFetch(fetcher, { policy: createUrlPolicy(limits.imageUrls) });

  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    await next();
    c.header('x-request-id', id);
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
  for (const register of taskRoutes) register(app, { provider, fetch: imageFetch });
  analyzeRoute(app, { provider, fetch: imageFetch }, [classifyHandler, detectHandler, segmentHandler]);
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
