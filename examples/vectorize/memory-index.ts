/**
 * A local stand-in for a Vectorize index (cosine metric) with the methods the example uses, for offline tests and
 * local development: `upsert`, `insert`, `query` and `getByIds` behave as the Workers binding documents them
 * (insert keeps existing ids, upsert replaces a vector whole, matches best first, `topK` default 5). Everything is in
 * memory and exact (brute force); Vectorize is approximate and its writes take seconds to become queryable.
 */
import { cosineSimilarity } from '@cvkit/sdk';

export type VectorIndex = Pick<Vectorize, 'insert' | 'upsert' | 'query' | 'getByIds'>;

export function createMemoryIndex({ dimensions }: { dimensions: number }): VectorIndex & { readonly size: number } {
  const vectors = new Map<string, VectorizeVector>();
  let mutations = 0;

  async function write(items: VectorizeVector[], replace: boolean): Promise<VectorizeAsyncMutation> {
    for (const v of items) {
      if (v.values.length !== dimensions) throw new Error(`vector '${v.id}' has ${v.values.length} dimensions; the index has ${dimensions}`);
      if (v.namespace !== undefined) throw new Error('the stand-in index has no namespaces');
    }
    for (const v of items) if (replace || !vectors.has(v.id)) vectors.set(v.id, { ...v, values: Float32Array.from(v.values) });
    return { mutationId: `local-${++mutations}` };
  }

  return {
    get size() {
      return vectors.size;
    },
    insert: (items) => write(items, false),
    upsert: (items) => write(items, true),
    async query(vector, options = {}) {
      const { topK = 5, returnValues = false, returnMetadata = 'none', filter, namespace } = options;
      if (filter !== undefined || namespace !== undefined) throw new Error('the stand-in index has no metadata filters or namespaces');
      if (vector.length !== dimensions) throw new Error(`the query has ${vector.length} dimensions; the index has ${dimensions}`);
      const withMetadata = returnMetadata === true || returnMetadata === 'all' || returnMetadata === 'indexed';
      const matches = [...vectors.values()]
        .map((v) => ({ v, score: cosineSimilarity(vector, v.values) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, topK)
        .map(({ v, score }) => ({ id: v.id, score, ...(returnValues ? { values: v.values } : {}), ...(withMetadata && v.metadata ? { metadata: v.metadata } : {}) }));
      return { matches, count: matches.length };
    },
    getByIds: async (ids) => ids.flatMap((id) => vectors.get(id) ?? []),
  };
}
