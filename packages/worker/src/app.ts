/**
 * The cvkit HTTP API as a Hono app, independent of the runtime: index.ts builds it for workerd, tests and the
 * Node entry build it with the Node engine runtime. Every error leaves through `onError` in the one error shape.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { z } from 'zod';
import { ClassifyOptions, type ClassifyResponse, type ErrorBody, type ModelList } from '@cvkit/sdk/contract';
import { ApiError, type ErrorIssue } from './errors';
import { decodeImage, type DecodedImage } from './image/decode';
import { readImageInput } from './http/input';
import { findModel, manifest, modelInfo } from './models/manifest';
import type { ImageSource, VisionProvider } from './providers/types';
import { createTimer } from './timings';

export const VERSION = '0.1.0';

export interface AppOptions {
  provider: VisionProvider;
  /** Accepted API keys; empty means no authentication (local development). */
  apiKeys?: string[];
  /** Fetch used for image URLs. */
  fetch?: typeof fetch;
}

type Env = { Variables: { requestId: string } };

const REQUEST_ID = /^[\w.:-]{1,128}$/;

function parseOptions<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  // zod issues may carry the caller's input; only the path and message leave the worker.
  const issues: ErrorIssue[] = result.error.issues.map((i) => ({
    path: i.path.join('.') || '(options)',
    message: i.code === 'unrecognized_keys' ? `unknown option(s): ${i.keys.join(', ')}` : i.message,
  }));
  throw new ApiError('invalid_option', `Invalid options: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`, issues);
}

function imageSource(bytes: Uint8Array): ImageSource {
  let decoded: DecodedImage | undefined;
  return { bytes, decode: () => (decoded ??= decodeImage(bytes)) };
}

export function createApp({ provider, apiKeys = [], fetch: fetcher = fetch }: AppOptions) {
  const app = new Hono<Env>();

  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    await next();
    c.header('x-request-id', id);
  });

  app.use('*', cors({ origin: '*', exposeHeaders: ['x-request-id', 'retry-after'], maxAge: 86400 }));

  app.use('/v1/*', async (c, next) => {
    if (apiKeys.length === 0 || c.req.method === 'OPTIONS') return next();
    const auth = c.req.header('authorization') ?? '';
    const key = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : (c.req.header('x-api-key') ?? '');
    if (!apiKeys.includes(key)) {
      throw new ApiError('unauthorized', key ? 'The API key is not valid.' : 'Missing API key: send `Authorization: Bearer <key>`.');
    }
    return next();
  });

  app.get('/health', (c) => c.json({ status: 'ok' as const, version: VERSION }));

  app.get('/v1/models', (c) => c.json({ models: manifest.models.map(modelInfo) } satisfies ModelList));

  app.post('/v1/classify', async (c) => {
    const timer = createTimer();
    const { bytes, options: raw } = await readImageInput(c.req.raw, fetcher);
    const options = parseOptions(ClassifyOptions, raw);
    const model = findModel('classify', options.model);
    const result = await provider.classify({ image: imageSource(bytes), model, options, timer, signal: c.req.raw.signal });
    return c.json({ task: 'classify', model: modelInfo(model), ...result, timings: timer.result() } satisfies ClassifyResponse);
  });

  const routes: Record<string, string> = { '/health': 'GET', '/v1/models': 'GET', '/v1/classify': 'POST' };
  app.notFound((c) => {
    const allowed = routes[c.req.path];
    if (allowed) {
      c.header('allow', allowed);
      throw new ApiError('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allowed}.`);
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
