/** POST /v1/classify: what is this? */
import type { Hono } from 'hono';
import { ClassifyOptions, type ClassifyResponse } from '@cvkit/sdk/contract';
import { readTaskRequest } from '../http/task';
import { modelInfo } from '../models/manifest';
import type { AppEnv, RouteDeps } from '../app';

export function classifyRoute(app: Hono<AppEnv>, { tiers, fetch }: RouteDeps) {
  app.post('/v1/classify', async (c) => {
    const { image, options, model, timer } = await readTaskRequest(c, 'classify', ClassifyOptions, fetch);
    const ran = await tiers.classify({ image, model, options: { top_k: options.top_k }, tier: options.tier, timer, signal: c.req.raw.signal });
    c.header('x-cvkit-tier', ran.tier);
    return c.json({
      task: 'classify',
      model: modelInfo(ran.model, { tier: ran.tier, tiers: tiers.tiersOf(ran.model).tiers }),
      ...ran.result,
      ...(ran.fallback ? { fallback: ran.fallback } : {}),
      timings: timer.result(),
    } satisfies ClassifyResponse);
  });
}
