/**
 * @cvkit/sdk: a typed client for the cvkit computer-vision API (classify, detect, segment, pose).
 * Runs unchanged in browsers, Cloudflare Workers and other edge runtimes, Deno, Bun and Node 18+: it needs only
 * `fetch`, and carries no Node built-ins and no zod. Node-only helpers are in `@cvkit/sdk/node`; the zod schemas
 * of the API contract in `@cvkit/sdk/contract`.
 *
 * Option and result fields use the API's wire names (snake_case: `top_k`, `box_normalized`, `request_id`).
 *
 * @example
 * import { CVKit, NotFoundError } from '@cvkit/sdk';
 * const cv = new CVKit({ baseURL: 'http://127.0.0.1:8787' });
 * const { predictions } = await cv.classify('https://example.com/cat.jpg', { top_k: 3 });
 */
export { type APIPromise, CVKit, type ClientOptions, type RequestOptions, type WithResponse } from './client';
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  type APIErrorInit,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  type ClientErrorCode,
  CVKitError,
  ImageFileError,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
} from './errors';
export { type ImageInput, sniffImageType } from './image-input';
export { annotatedImage } from './helpers/annotated';
export { decodeMask, type DecodeMaskOptions } from './helpers/class-map';
export { dataUrlToBlob, dataUrlToBytes } from './helpers/data-url';
export { cosineSimilarity, decodeEmbedding } from './helpers/embedding';
export { type ClassMap, decodePngMask } from './helpers/png-mask';
export { decodeRle, decodeRleCounts } from './helpers/rle';
export type * from './types';
