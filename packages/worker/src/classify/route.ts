/** POST /v1/classify: what is this? */
import type { Hono } from 'hono';
import { ClassifyOptions, type ClassifyResponse } from '@cvkit/sdk/contract';
import type { AppEnv, RouteDeps } from '../http/deps';
import { readTaskRequest } from '../http/task';

export function classifyRoute(app: Hono<AppEnv>, { provider, fetch }: RouteDeps) {
  app.post('/v1/classify', async (c) => {
    const { image, options, model, timer } = await readTaskRequest(c, 'classify', ClassifyOptions, fetch);
    const result = await provider.classify({ image, model, options: { top_k: options.top_k }, tier: options.tier, timer, signal: c.req.raw.signal });
    c.header('x-cvkit-tier', result.model.tier);
    return c.json({
      task: 'classify',
      model: result.model,
      image: result.image,
      predictions: result.predictions,
      ...(result.fallback ? { fallback: result.fallback } : {}),
      timings: timer.result(),
    } satisfies ClassifyResponse);
  });
}
