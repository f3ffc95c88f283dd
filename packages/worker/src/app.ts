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
import { playgroundRoute } from './playground/route';
import type { VisionProvider } from './providers/types';

export const VERSION = '0.1.0';

export interface AppOptions {
  provider: VisionProvider;
  /** Accepted API keys; empty means no authentication (local development). */
  apiKeys?: string[];
  /** Fetch used for image URLs. */
  fetch?: typeof fetch;
}

/** What a task's route needs from the app. */
export interface RouteDeps {
  provider: VisionProvider;
  fetch: typeof fetch;
}

/** Each task registers its own routes; adding a task is adding a line here. */
const taskRoutes = [classifyRoute, detectRoute, segmentRoute];

export type AppEnv = { Variables: { requestId: string } };

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function createApp({ provider, apiKeys = [], fetch: fetcher = fetch }: AppOptions) {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    await next();
    c.header('x-request-id', id);
  });

  app.use('*', cors({ origin: '*', exposeHeaders: ['x-request-id', 'retry-after', 'server-timing', 'x-detections'], maxAge: 86400 }));

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
  app.get('/health', (c) => c.json({ status: 'ok' as const, version: VERSION, isolate: (isolate ??= crypto.randomUUID()) } satisfies Health));

  playgroundRoute(app, VERSION);

  app.get('/v1/models', (c) => c.json({ models: manifest.models.map(modelInfo) } satisfies ModelList));

  for (const register of taskRoutes) register(app, { provider, fetch: fetcher });

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
    if (!(err instanceof ApiError)) console.error(`[${requestId}]`, err);
    const body: ErrorBody = {
      error: { code: error.code, message: error.message, request_id: requestId, retryable: error.retryable, ...(error.issues ? { issues: error.issues } : {}) },
    };
    c.header('x-request-id', requestId);
    return c.json(body, error.status as 400);
  });

  return app;
}
