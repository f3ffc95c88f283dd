/**
 * How an embedding travels in JSON. `float` (default): a number array, each value with the 9 significant digits that
 * bring back the same float32 (`Math.fround`), readable by anything. `base64`: the vector's little-endian float32
 * bytes in base64, about a quarter of the JSON size, for batch indexing jobs; `decodeEmbedding` in @cvkit/sdk reads
 * both back into the same Float32Array.
 */
import type { EmbeddingEncoding } from '@cvkit/sdk/contract';
import { toDataUrl } from '../image/data-url';

export interface EncodedEmbedding {
  embedding: number[] | string;
  dimensions: number;
  encoding: EmbeddingEncoding;
}

/** Little-endian float32 bytes, whatever the host's byte order (DataView fixes it; a typed array's view would not). */
export function float32Bytes(vector: Float32Array): Uint8Array {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i] as number, true);
  return bytes;
}

/** Base64 of bytes: the data-URL encoder's body (it slices long inputs for String.fromCharCode). */
const toBase64 = (bytes: Uint8Array) => toDataUrl(bytes, '').slice(DATA_URL_PREFIX.length);
const DATA_URL_PREFIX = 'data:;base64,';

export function encodeEmbedding(vector: Float32Array, encoding: EmbeddingEncoding): EncodedEmbedding {
  const embedding = encoding === 'base64' ? toBase64(float32Bytes(vector)) : Array.from(vector, (x) => Number(x.toPrecision(9)));
  return { embedding, dimensions: vector.length, encoding };
}
