/** GET /v1/models (optionally `?task=`), GET /v1/models/{id}: what this worker serves, and one model's labels. */
import type { Hono } from 'hono';
import { type ModelDetail, type ModelList, ModelsQuery, POSE_EDGES, POSE_KEYPOINTS } from '@cvkit/sdk/contract';
import { ApiError, clip } from '../errors';
import type { AppEnv, RouteDeps } from '../http/deps';
import { queryOptions } from '../http/input';
import { parseOptions } from '../http/task';
import { labelAliases } from './labels';
import { manifest } from './manifest';

export function modelsRoute(app: Hono<AppEnv>, { provider }: RouteDeps) {
  app.get('/v1/models', async (c) => {
    const { task } = parseOptions(ModelsQuery, queryOptions(new URL(c.req.url)));
    return c.json({ models: (await provider.models()).filter((m) => !task || m.task === task) } satisfies ModelList);
  });

  // `{.+}`: Workers AI ids have slashes (/v1/models/@cf/microsoft/resnet-50).
  app.get('/v1/models/:id{.+}', async (c) => {
    const id = c.req.param('id');
    const served = await provider.models();
    const info = served.find((m) => m.id === id);
    const model = manifest.models.find((m) => m.id === id) ?? (info ? provider.findModel(info.task, id) : undefined);
    if (!info || !model) throw new ApiError('model_not_found', `No model '${clip(id)}'. Available: ${served.map((m) => m.id).join(', ')}.`);
    const labels = provider.labels ? await provider.labels(model) : [];
    // Pose models: the keypoints' order and the skeleton, given here once rather than with every person.
    const skeleton = model.task === 'pose' ? { keypoints: [...POSE_KEYPOINTS], skeleton: POSE_EDGES.map(([a, b]) => [a, b] as [number, number]) } : {};
    return c.json({ ...info, label_names: labels, label_aliases: labelAliases(model), ...skeleton } satisfies ModelDetail);
  });
}
