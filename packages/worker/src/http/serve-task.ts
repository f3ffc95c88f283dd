/**
 * Serving a task endpoint: one image answers the task's response (JSON or a picture, negotiated), a batch answers
 * `{ "results": [...] }` in request order, each item the task's JSON response or `{ "error": {...} }`. Batch items
 * run one after another: the isolate runs one inference at a time anyway, and only one decoded image is alive at
 * once. Options and the model apply to every image, so a bad option fails the whole request before any work.
 */
import type { Context } from 'hono';
import { ApiError, errorBody } from '../errors';
import type { TieredProvider } from '../providers/tiered';
import type { ModelSpec } from '../models/manifest';
import { createTimer } from '../timings';
import type { AppEnv } from './deps';
import { readImages } from './images';
import { cachedAnswer } from './result-cache';
import { type TaskAnswer, type TaskHandler, imageSource, parseOptions } from './task';

export interface ServeDeps {
  provider: TieredProvider;
  fetch: typeof fetch;
}

/** A request admitted only to spill to the GPU tier (http/admission.ts) gets the provider whose edge is full. */
export const providerFor = (c: Context<AppEnv>, provider: TieredProvider) => (c.get('edgeFull') ? provider.atCapacity() : provider);

/** The model as the result cache keys it: its id and its files' sha256, so a model replaced under the same id (a user's catalog) never meets an old answer. */
const modelKey = (model: ModelSpec) => [model.id, ...model.artifacts.map((a) => a.sha256 ?? a.runtime)].join(':');

function answer(c: Context, result: TaskAnswer): Response {
  if (result.picture) {
    const { bytes, type, headers } = result.picture;
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { ...headers, 'content-type': type });
  }
  return c.json(result.json, 200, result.headers);
}

export async function serveTask<O extends { model?: string | undefined }>(c: Context<AppEnv>, deps: ServeDeps, handler: TaskHandler<O>): Promise<Response> {
  const { fetch } = deps;
  const provider = providerFor(c, deps.provider);
  const timer = createTimer();
  const signal = c.req.raw.signal;
  const { items, batch, options: raw } = await readImages(c.req.raw, fetch);
  const options = parseOptions(handler.schema, raw);
  const model = provider.findModel(handler.task, options.model);

  if (!batch) {
    const picture = handler.picture(options, c.req.header('accept'));
    // The answer's type may depend on Accept: caches must keep JSON and pictures apart.
    c.header('vary', 'accept');
    const image = imageSource(await (items[0] as (typeof items)[number]).load());
    const key = { bytes: image.bytes, task: handler.task, model: modelKey(model), options, picture };
    const cached = await cachedAnswer(c, deps.provider, key, () => handler.run({ provider, image, options, model, timer, signal, picture }));
    c.header('cvkit-cache', cached.status);
    return answer(c, cached.answer);
  }

  if (handler.picture(options, undefined)) {
    const message = 'a batch answers JSON; ask for pictures one image per request, or use annotate=true for data URLs';
    throw new ApiError('invalid_option', `Invalid options: format: ${message}.`, [{ path: 'format', message }]);
  }
  const requestId = c.get('requestId') as string;
  const results: object[] = [];
  const statuses = new Set<string>();
  for (const item of items) {
    if (signal.aborted) throw new ApiError('invalid_request', 'The client went away.');
    try {
      const image = imageSource(await item.load());
      const key = { bytes: image.bytes, task: handler.task, model: modelKey(model), options, picture: undefined };
      const cached = await cachedAnswer(c, deps.provider, key, () => handler.run({ provider, image, options, model, timer: createTimer(), signal, picture: undefined }));
      statuses.add(cached.status);
      results.push(cached.answer.json ?? {});
    } catch (err) {
      results.push(errorBody(err, requestId));
    }
  }
  // A batch is a hit when every item was; `miss` when any was computed.
  c.header('cvkit-cache', statuses.size === 1 ? [...statuses][0] : 'miss');
  return c.json({ results });
}
