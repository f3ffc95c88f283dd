/**
 * POST /v1/similarity: how alike are these images? Two to 16 images in the batch forms (JSON `images`, or several
 * `image` fields), each embedded with one embed model, and their N x N cosine-similarity matrix: near-duplicate
 * checks without a vector database. Unlike a batch, one unusable image fails the request (the matrix needs every
 * image), with an error that says which image.
 */
import type { Hono } from 'hono';
import { type Fallback, SimilarityOptions, type SimilarityResponse } from '@cvkit/sdk/contract';
import { ApiError, toApiError } from '../errors';
import type { AppEnv, RouteDeps } from '../http/deps';
import { readImages } from '../http/images';
import { providerFor } from '../http/serve-task';
import { imageSource, parseOptions, tierHeader } from '../http/task';
import { runTask, type Served } from '../providers/types';
import { createTimer } from '../timings';
import type { EmbedOutput } from './pipeline';
import { similarityMatrix } from './similarity-matrix';

const tooFew = (count: number) => {
  const message = `compare at least 2 images; got ${count}`;
  return new ApiError(
    'invalid_request',
    `Similarity compares two or more images: send \`images\` as a JSON list, or several \`image\` fields in a form (${message}).`,
    [{ path: 'images', message }],
  );
};

/** The error of image `index`, saying which image it was (same code and status). */
function forImage(err: unknown, index: number): ApiError {
  const e = toApiError(err);
  if (e.code === 'internal_error') return e;
  return new ApiError(e.code, `images[${index}]: ${e.message}`, e.issues, e.retryAfterSeconds === undefined ? undefined : { retryAfterSeconds: e.retryAfterSeconds });
}

export function similarityRoute(app: Hono<AppEnv>, deps: RouteDeps) {
  app.post('/v1/similarity', async (c) => {
    const provider = providerFor(c, deps.provider);
    const timer = createTimer();
    const signal = c.req.raw.signal;
    const { items, options: raw } = await readImages(c.req.raw, deps.fetch);
    const options = parseOptions(SimilarityOptions, raw);
    if (items.length < 2) throw tooFew(items.length);
    const model = provider.findModel('embed', options.model);
    const vectors: Float32Array[] = [];
    const images: SimilarityResponse['images'] = [];
    let served: Served['model'] | undefined;
    let fallback: Fallback | undefined;
    for (const [index, item] of items.entries()) {
      if (signal.aborted) throw new ApiError('invalid_request', 'The client went away.');
      try {
        const image = imageSource(await item.load());
        const result = await runTask<EmbedOutput>(provider, { image, model, options: {}, tier: options.tier, timer, signal });
        vectors.push(result.embedding);
        images.push(result.image);
        served = result.model;
        fallback ??= result.fallback;
      } catch (err) {
        throw forImage(err, index);
      }
    }
    const matrix = timer.measure('postprocess', () => similarityMatrix(vectors));
    const body = { model: served as Served['model'], images, matrix, ...(fallback ? { fallback } : {}), timings: timer.result() } satisfies SimilarityResponse;
    return c.json(body, 200, tierHeader(body.model));
  });
}
