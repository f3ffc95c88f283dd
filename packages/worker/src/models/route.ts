/** GET /v1/models (optionally `?task=`), GET /v1/models/{id}: what this worker serves, and one model's labels. */
import type { Hono } from 'hono';
import { type ModelDetail, type ModelList, ModelsQuery } from '@cvkit/sdk/contract';
import type { AppEnv, RouteDeps } from '../app';
import { ApiError } from '../errors';
import { queryOptions } from '../http/input';
import { parseOptions } from '../http/task';
import { labelAliases } from './labels';
import { manifest, modelInfo } from './manifest';

export function modelsRoute(app: Hono<AppEnv>, { provider }: RouteDeps) {
  app.get('/v1/models', (c) => {
    const { task } = parseOptions(ModelsQuery, queryOptions(new URL(c.req.url)));
    return c.json({ models: manifest.models.filter((m) => !task || m.task === task).map(modelInfo) } satisfies ModelList);
  });

  app.get('/v1/models/:id', async (c) => {
    const id = c.req.param('id');
    const model = manifest.models.find((m) => m.id === id);
    if (!model) throw new ApiError('model_not_found', `No model '${id}'. Available: ${manifest.models.map((m) => m.id).join(', ')}.`);
    const labels = provider.labels ? await provider.labels(model) : [];
    return c.json({ ...modelInfo(model), label_names: labels, label_aliases: labelAliases(model) } satisfies ModelDetail);
  });
}
