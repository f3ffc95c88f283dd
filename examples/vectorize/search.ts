/**
 * Visual search over a vector index: images go in as cvkit embeddings (batches of 16 through `POST /v1/embed`,
 * base64-encoded on the wire), a query image comes back as the stored images most like it. The index is a Vectorize
 * binding in a Worker, or the in-memory stand-in (memory-index.ts) offline; create the Vectorize index with the
 * model's dimensions and the cosine metric: `wrangler vectorize create cvkit-images --dimensions=1024 --metric=cosine`.
 *
 * @example
 * const search = createImageSearch({ cv: new CVKit({ baseURL }), index: env.VECTORIZE });
 * await search.add([{ id: 'shoe-1.jpg', image: bytes }]);
 * const [best] = await search.query(photo); // { id: 'shoe-1.jpg', score: 0.97, metadata: { model: ... } }
 */
import { decodeEmbedding, type ImageInput } from '@cvkit/sdk';
import type { EmbedBatchResponse, EmbedOptions, EmbedResponse } from '@cvkit/sdk/contract';
import type { VectorIndex } from './memory-index';

/** What the search needs of the SDK client (`new CVKit(...)` is one). */
export interface Embedder {
  embed(image: ImageInput, options?: EmbedOptions): Promise<EmbedResponse>;
  embedBatch(images: readonly ImageInput[], options?: EmbedOptions): Promise<EmbedBatchResponse>;
}

export interface ImageSearchOptions {
  cv: Embedder;
  index: Pick<VectorIndex, 'upsert' | 'query'>;
  /** The embedding model (default: the API's default). One index holds one model's vectors: never mix them. */
  model?: string;
}

export interface IndexItem {
  /** The vector's id (Vectorize: at most 64 bytes): a file name, a product id, an R2 key. */
  id: string;
  image: ImageInput;
  metadata?: Record<string, VectorizeVectorMetadata>;
}

const BATCH = 16;

export function createImageSearch({ cv, index, model }: ImageSearchOptions) {
  const options: EmbedOptions = { encoding: 'base64', ...(model ? { model } : {}) };
  return {
    /** Embeds and upserts the items; an image the API refuses is reported, not indexed, and the rest go on. */
    async add(items: readonly IndexItem[]): Promise<{ added: string[]; failed: { id: string; error: string }[] }> {
      const added: string[] = [];
      const failed: { id: string; error: string }[] = [];
      for (let start = 0; start < items.length; start += BATCH) {
        const chunk = items.slice(start, start + BATCH);
        const { results } = await cv.embedBatch(chunk.map((item) => item.image), options);
        const vectors: VectorizeVector[] = [];
        results.forEach((result, i) => {
          const item = chunk[i] as IndexItem;
          if ('error' in result) failed.push({ id: item.id, error: result.error.message });
          else vectors.push({ id: item.id, values: decodeEmbedding(result.embedding), metadata: { ...item.metadata, model: result.model.id } });
        });
        if (vectors.length > 0) await index.upsert(vectors);
        added.push(...vectors.map((v) => v.id));
      }
      return { added, failed };
    },
    /** The indexed images most like `image`, best first (score: cosine similarity). */
    async query(image: ImageInput, { topK = 5 }: { topK?: number } = {}): Promise<VectorizeMatch[]> {
      const { embedding } = await cv.embed(image, options);
      const { matches } = await index.query(decodeEmbedding(embedding), { topK, returnMetadata: 'all' });
      return matches;
    },
  };
}
