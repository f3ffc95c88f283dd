/** POST /v1/classify: what is this? One image, or a batch (http/serve-task.ts). */
import type { Hono } from 'hono';
import { ClassifyOptions, type ClassifyResponse } from '@cvkit/sdk/contract';
import type { AppEnv, RouteDeps } from '../http/deps';
import { serveTask } from '../http/serve-task';
import { taskHandler, tierHeader } from '../http/task';

/** Classification of one image: single requests, batch items and /v1/analyze all call this. */
export const classifyHandler = taskHandler({
  task: 'classify',
  schema: ClassifyOptions,
  picture: () => undefined,
  decodeHints: (_options, model) => ({ minWidth: model.input.width, minHeight: model.input.height }),
  async run({ provider, image, options, model, timer, signal }) {
    const result = await provider.classify({ image, model, options: { top_k: options.top_k }, tier: options.tier, timer, signal });
    return {
      json: {
        task: 'classify',
        model: result.model,
        image: result.image,
        predictions: result.predictions,
        ...(result.fallback ? { fallback: result.fallback } : {}),
        timings: timer.result(),
      } satisfies ClassifyResponse,
      headers: tierHeader(result.model),
    };
  },
});

export function classifyRoute(app: Hono<AppEnv>, deps: RouteDeps) {
  app.post('/v1/classify', (c) => serveTask(c, deps, classifyHandler));
}
