/**
 * Embeddings from `POST /v1/embed`: back into a Float32Array from either encoding, and their cosine similarity,
 * for near-duplicate checks and small searches without a vector database (no dependencies, any JS runtime).
 */
import { CVKitError } from '../errors';

/**
 * The embedding of an embed response as a Float32Array: a number array (`encoding=float`) or base64 of little-endian
 * float32 (`encoding=base64`).
 *
 * @example
 * const { embedding } = await cv.embed(photo, { encoding: 'base64' });
 * const vector = decodeEmbedding(embedding); // Float32Array(1024)
 */
export function decodeEmbedding(embedding: string | readonly number[]): Float32Array {
  if (typeof embedding !== 'string') return Float32Array.from(embedding);
  let binary: string;
  try {
    binary = atob(embedding);
  } catch {
    throw new CVKitError('The embedding is not valid base64.');
  }
  if (binary.length % 4 !== 0) throw new CVKitError(`A base64 embedding holds float32 values (4 bytes each), not ${binary.length} bytes.`);
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  // DataView reads little-endian on any host; a Float32Array over the bytes would use the host's order.
  return Float32Array.from({ length: binary.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/**
 * Cosine similarity of two vectors of the same length, in [-1, 1] (0 when either is all zeros). For the API's
 * embeddings (unit length) it equals their dot product; this also accepts vectors of any length from elsewhere.
 *
 * @example
 * const [a, b] = await Promise.all([cv.embed(first), cv.embed(second)]);
 * if (cosineSimilarity(a.embedding, b.embedding) > 0.9) console.log('probably the same photo');
 */
export function cosineSimilarity(a: string | ArrayLike<number>, b: string | ArrayLike<number>): number {
  const x = typeof a === 'string' ? decodeEmbedding(a) : a;
  const y = typeof b === 'string' ? decodeEmbedding(b) : b;
  if (x.length !== y.length) throw new CVKitError(`Cannot compare embeddings of different dimensions (${x.length} and ${y.length}).`);
  let dot = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    const p = x[i] as number;
    const q = y[i] as number;
    dot += p * q;
    xx += p * p;
    yy += q * q;
  }
  if (xx === 0 || yy === 0) return 0;
  return Math.min(1, Math.max(-1, dot / Math.sqrt(xx * yy)));
}
