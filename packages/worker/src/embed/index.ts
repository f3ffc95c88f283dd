/**
 * POST /v1/embed: an image embedding, a unit vector whose cosine similarity to another image's means visual
 * similarity (near duplicates, "more like this"). The embed task as the task table (tasks.ts) declares it; its
 * sibling POST /v1/similarity (similarity-route.ts) answers the similarity matrix of several images.
 */
import { EmbedBatchResponse, EmbedOptions, EmbedResponse } from '@cvkit/sdk/contract';
import { errorExample } from '../http/openapi-examples';
import { defineTask, tierHeader } from '../http/task';
import { runTask } from '../providers/types';
import { encodeEmbedding } from './encoding';
import { embed as example, embedBase64 } from './openapi-examples';
import { type EmbedOutput, embedPipeline } from './pipeline';

export const embedTask = defineTask({
  task: 'embed',
  schema: EmbedOptions,
  pipeline: embedPipeline,
  picture: () => undefined,
  decodeHints: (_options, model) => ({ minWidth: model.input.width, minHeight: model.input.height }),
  async run({ provider, image, options, model, timer, signal }) {
    const result = await runTask<EmbedOutput>(provider, { image, model, options: {}, tier: options.tier, timer, signal });
    const encoded = timer.measure('encode', () => encodeEmbedding(result.embedding, options.encoding));
    return {
      json: {
        task: 'embed',
        model: result.model,
        image: result.image,
        ...encoded,
        ...(result.fallback ? { fallback: result.fallback } : {}),
        timings: timer.result(),
      } satisfies EmbedResponse,
      headers: tierHeader(result.model),
    };
  },
  doc: {
    summary: 'An image embedding: a unit vector whose cosine similarity means visual similarity.',
    description:
      '`embedding` is L2-normalised (norm 1), so the cosine similarity of two images is the dot product of their embeddings: the same photo re-encoded, shrunk or mirrored scores above 0.9, photos of different things well below. `encoding=base64` sends the little-endian float32 bytes in base64 instead of a number array, about a quarter of the JSON (batches of 16 for indexing jobs). Compare a few images directly with POST /v1/similarity.',
    response: { schema: EmbedResponse, name: 'EmbedResponse', example },
    batch: { schema: EmbedBatchResponse, name: 'EmbedBatchResponse', example: { results: [embedBase64, errorExample('invalid_image')] } },
  },
});
