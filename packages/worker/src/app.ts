/**
 * The cvkit HTTP API as a Hono app, independent of the runtime: index.ts builds it for workerd, tests and the
 * Node entry build it with the Node engine runtime. Every error leaves through `onError` in the one error shape.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { ErrorBody, Health, ModelList } from '@cvkit/sdk/contract';
import { classifyRoute } from './classify/route';
import { detectRoute } from './detect/route';
import { ApiError } from './errors';
import type { AppEnv } from './http/deps';
import type { GpuTier } from './providers/gpu-tier';
import { createTieredProvider } from './providers/tiered';
import type { VisionProvider } from './providers/types';
import { segmentRoute } from './segment/route';

export type { AppEnv, RouteDeps } from './http/deps';

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

/** Each task registers its own routes; adding a task is adding a line here. */
const taskRoutes = [classifyRoute, detectRoute, segmentRoute];

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function createApp({ provider: edge, apiKeys = [], fetch: fetcher = fetch, gpu, gpuProblem }: AppOptions) {
  const app = new Hono<AppEnv>();
  const provider = createTieredProvider({ edge, ...(gpu ? { gpu } : {}), ...(gpuProblem ? { problem: gpuProblem } : {}) });

  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    await next();
    c.header('x-request-id', id);
  });

  app.use('*', cors({ origin: '*', exposeHeaders: ['x-request-id', 'retry-after', 'server-timing', 'x-detections', 'x-should-retry', 'x-cvkit-tier'], maxAge: 86400 }));

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
    c.json({ status: 'ok' as const, version: VERSION, isolate: (isolate ??= crypto.randomUUID()), gpu: provider.health() } satisfies Health),
  );

  app.get('/v1/models', async (c) => c.json({ models: await provider.models() } satisfies ModelList));

  for (const register of taskRoutes) register(app, { provider, fetch: fetcher });

  // Which methods the router would answer on this path (middleware, registered for ALL, does not count).
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
  const answers = (method: string, path: string) =>
    app.router.match(method, path)[0].some((m) => (m[0] as unknown as [unknown, { method: string }])[1].method !== 'ALL');

  app.notFound((c) => {
    const allowed = methods.filter((m) => m !== c.req.method && answers(m, c.req.path));
    if (allowed.length > 0) {
      c.header('allow', allowed.join(', '));
      throw new ApiError('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(' or ')}.`);
    }
    throw new ApiError('not_found', `No route ${c.req.method} ${c.req.path}. See GET /v1/models and the README's API table.`);
  });

  app.onError((err, c) => {
    const requestId = c.get('requestId') ?? crypto.randomUUID();
    // A caller that went away gets no answer anyway; its abort is not a server fault worth logging.
    const aborted = !(err instanceof ApiError) && (err as { name?: unknown } | null)?.name === 'AbortError';
    const error =
      err instanceof ApiError
        ? err
        : aborted
          ? new ApiError('invalid_request', 'The request was aborted before it finished.', undefined, { cause: err })
          : new ApiError('internal_error', 'Internal error; the request id identifies it in the logs.', undefined, { cause: err });
    if (!(err instanceof ApiError) && !aborted) console.error(`[${requestId}]`, err);
    const body: ErrorBody = {
      error: { code: error.code, message: error.message, request_id: requestId, retryable: error.retryable, ...(error.issues ? { issues: error.issues } : {}) },
    };
    c.header('x-request-id', requestId);
    // The SDK (like openai-node) obeys this before its status rules: a deterministic bug is not retried.
    c.header('x-should-retry', String(error.retryable));
    // A GPU tier that is down says when to come back (its own Retry-After, or the breaker's).
    const retryAfter = 'retryAfter' in error ? error.retryAfter : undefined;
    if (typeof retryAfter === 'number' && retryAfter > 0) c.header('retry-after', String(retryAfter));
    return c.json(body, error.status as 400);
  });

  return app;
}
