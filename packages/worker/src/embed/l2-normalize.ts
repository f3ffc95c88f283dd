/**
 * Unit length for embeddings: after L2 normalisation the cosine similarity of two vectors is their dot product,
 * which is what vector stores (Vectorize's `cosine` metric, pgvector's `<#>`) and the similarity matrix compute.
 */

/** The vector scaled to Euclidean norm 1 (float64 sums: 1024 float32 squares lose digits otherwise). A zero vector stays zero. */
export function l2Normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += (vector[i] as number) ** 2;
  const out = new Float32Array(vector.length);
  if (sum === 0) return out;
  const inverse = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) out[i] = (vector[i] as number) * inverse;
  return out;
}
