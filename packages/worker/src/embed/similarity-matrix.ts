/**
 * Similarity of N images without a vector database: the N x N matrix of cosine similarities of their unit
 * embeddings (dot products of L2-normalised vectors), symmetric, 1 on the diagonal.
 */

/** Dot product of two vectors of the same length. */
export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`vectors of different lengths (${a.length} and ${b.length})`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/**
 * Cosine similarity of every pair of unit vectors. Values are clamped to [-1, 1] (float32 rounding can give
 * 1.0000001) and the diagonal is exactly 1 for a non-zero vector, so callers may compare with `=== 1`.
 */
export function similarityMatrix(unitVectors: readonly Float32Array[]): number[][] {
  const n = unitVectors.length;
  const matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    const a = unitVectors[i] as Float32Array;
    for (let j = i; j < n; j++) {
      const value = i === j ? (a.some((x) => x !== 0) ? 1 : 0) : Math.min(1, Math.max(-1, dot(a, unitVectors[j] as Float32Array)));
      (matrix[i] as number[])[j] = value;
      (matrix[j] as number[])[i] = value;
    }
  }
  return matrix;
}
