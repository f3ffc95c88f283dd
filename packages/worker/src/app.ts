/**
 * The cvkit HTTP API as a Hono app, independent of the runtime: index.ts builds it for workerd, tests and the
 * Node entry build it with the Node engine runtime. Every error leaves through `onError` in the one error shape.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { ErrorBody, Health, ModelList } from '@cvkit/sdk/contract';
import { classifyRoute } from './classify/route';
import { detectRoute } from './detect/route';
import { segmentRoute } from './segment/route';
import { ApiError } from './errors';
import { manifest, modelInfo } from './models/manifest';
import type { GpuTier } from './providers/gpu-tier';
import { createTieredProvider, type TieredProvider } from './providers/tiered';
import type { VisionProvider } from './providers/types';

export const VERSION = '0.1.0';

export interface AppOptions {
  provider: VisionProvider;
  /** Accepted API keys; empty means no authentication (local development). */
  apiKeys?: string[];
  /** Fetch used for image URLs. */
  fetch?: typeof fetch;
  /** The remote GPU tier (providers/gpu-tier.ts); absent: edge only. */
  gpu?: GpuTier;
  /** Why a configured GPU tier is off (reported by /health). */
  gpuProblem?: string;
}

/** What a task's route needs from the app. */
export interface RouteDeps {
  provider: VisionProvider;
  /** The provider routes call: picks the tier per request, says where the answer came from. */
  tiers: TieredProvider;
  fetch: typeof fetch;
}

/** Each task registers its own routes; adding a task is adding a line here. */
const taskRoutes = [classifyRoute, detectRoute, segmentRoute];

export type AppEnv = { Variables: { requestId: string } };

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function createApp({ provider, apiKeys = [], fetch: fetcher = fetch, gpu, gpuProblem }: AppOptions) {
  const app = new Hono<AppEnv>();
  const tiers = createTieredProvider({ edge: provider, ...(gpu ? { gpu } : {}), ...(gpuProblem ? { problem: gpuProblem } : {}) });

  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    await next();
    c.header('x-request-id', id);
  });

  app.use('*', cors({ origin: '*', exposeHeaders: ['x-request-id', 'retry-after', 'server-timing', 'x-detections', 'x-cvkit-tier'], maxAge: 86400 }));

  app.use('/v1/*', async (c, next) => {
    if (apiKeys.length === 0 || c.req.method === 'OPTIONS') return next();
    const auth = c.req.header('authorization') ?? '';
    const key = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : (c.req.header('x-api-key') ?? '');
    if (!apiKeys.includes(key)) {
      throw new ApiError('unauthorized', key ? 'The API key is not valid.' : 'Missing API key: send `Authorization: Bearer <key>`.');
    }
    return next();
  });

  // Which isolate answered: a crash restarts the isolate (and changes this), so tests can prove that none happened.
  let isolate: string | undefined;
  app.get('/health', (c) =>
    c.json({ status: 'ok' as const, version: VERSION, isolate: (isolate ??= crypto.randomUUID()), gpu: tiers.health() } satisfies Health),
  );

  app.get('/v1/models', (c) => c.json({ models: manifest.models.map((m) => modelInfo(m, tiers.tiersOf(m))) } satisfies ModelList));

  for (const register of taskRoutes) register(app, { provider, tiers, fetch: fetcher });

  app.notFound((c) => {
    const allowed = [...new Set(app.routes.filter((r) => r.path === c.req.path && r.method !== 'ALL').map((r) => r.method))];
    if (allowed.length > 0) {
      c.header('allow', allowed.join(', '));
      throw new ApiError('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(' or ')}.`);
    }
    throw new ApiError('not_found', `No route ${c.req.method} ${c.req.path}. See GET /v1/models and the README's API table.`);
  });

  app.onError((err, c) => {
    const requestId = c.get('requestId') ?? crypto.randomUUID();
    const error = err instanceof ApiError ? err : new ApiError('internal_error', 'Internal error; the request id identifies it in the logs.');
    // A caller who went away is not a bug to log; nobody reads this answer.
    if (!(err instanceof ApiError) && !(err instanceof Error && err.name === 'AbortError')) console.error(`[${requestId}]`, err);
    const body: ErrorBody = {
      error: { code: error.code, message: error.message, request_id: requestId, retryable: error.retryable, ...(error.issues ? { issues: error.issues } : {}) },
    };
    c.header('x-request-id', requestId);
    // A GPU tier that is down says when to come back (its own Retry-After, or the breaker's).
    const retryAfter = 'retryAfter' in error ? error.retryAfter : undefined;
    if (typeof retryAfter === 'number' && retryAfter > 0) c.header('retry-after', String(retryAfter));
    return c.json(body, error.status as 400);
  });

  return app;
}
