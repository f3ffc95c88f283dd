/**
 * The cvkit client. One method per endpoint; the transport (timeouts, retries, errors) lives in internal/transport.
 *
 * Conventions: a task's options object (2nd argument) is sent to the API as is, so it uses the API's snake_case
 * names (`top_k`, `max_detections`); per-call client settings (`signal`, `timeout`, `maxRetries`, `headers`) are a
 * separate 3rd argument, as in openai-node.
 */
import { CVKitError } from './errors';
import { type ImageInput, toAnalyzeBody, toBatchBody, toRequestBody } from './image-input';
import { type APIPromise, apiPromise } from './internal/api-promise';
import { readEnv } from './internal/env';
import { abortableSleep, checkMaxRetries, checkTimeout, type Fetch, type HttpRequest, type RequestOptions, sendWithResponse, type TransportConfig } from './internal/transport';
import type {
  AnalyzeOptions,
  AnalyzeResponse,
  ClassifyBatchResponse,
  ClassifyOptions,
  ClassifyResponse,
  DetectBatchResponse,
  DetectOptions,
  DetectResponse,
  EmbedBatchResponse,
  EmbedOptions,
  EmbedResponse,
  Health,
  ModelDetail,
  ModelList,
  ModelsQuery,
  PoseBatchResponse,
  PoseOptions,
  PoseResponse,
  SegmentBatchResponse,
  SegmentOptions,
  SegmentResponse,
  SimilarityOptions,
  SimilarityResponse,
} from './types';

export interface ClientOptions {
  /** The API's base URL, e.g. `https://cvkit.example.workers.dev`. Default: the `CVKIT_BASE_URL` environment variable. */
  baseURL?: string | undefined;
  /** Sent as `Authorization: Bearer <key>`. Default: `CVKIT_API_KEY`. Not needed when the API has no keys configured. */
  apiKey?: string | undefined;
  /** Milliseconds each attempt may take, answer body included. Default 60 000. */
  timeout?: number | undefined;
  /** Retries for connection errors, timeouts, 408, 409, 429 and 5xx, with backoff. Default 2. */
  maxRetries?: number | undefined;
  /** A fetch implementation (a proxy-aware one, a test recorder); default `globalThis.fetch`. Called unbound. */
  fetch?: Fetch | undefined;
  /** Headers sent with every request. */
  defaultHeaders?: Record<string, string> | undefined;
  /** How to wait between retries (tests and custom schedulers); default setTimeout. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Source of the retry jitter, 0..1 (tests); default Math.random. */
  random?: (() => number) | undefined;
}

export type { APIPromise, RequestOptions };
export type { WithResponse } from './internal/api-promise';

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RETRIES = 2;

type ImageFormat<F> = { format: F };

/**
 * @example
 * import { CVKit } from '@cvkit/sdk';
 * const cv = new CVKit({ baseURL: 'https://cvkit.example.workers.dev', apiKey: process.env.CVKIT_API_KEY });
 * const { detections } = await cv.detect('https://example.com/street.jpg', { threshold: 0.4 });
 * for (const d of detections) console.log(d.label, d.score.toFixed(2), d.box);
 */
export class CVKit {
  readonly baseURL: string;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly #config: TransportConfig;

  constructor(options: ClientOptions = {}) {
    const baseURL = options.baseURL ?? readEnv('CVKIT_BASE_URL');
    if (!baseURL) {
      throw new CVKitError('Missing baseURL: pass new CVKit({ baseURL: "https://..." }) or set the CVKIT_BASE_URL environment variable.');
    }
    let protocol: string | undefined;
    try {
      protocol = new URL(baseURL).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new CVKitError(`baseURL ${JSON.stringify(baseURL)} is not an absolute http(s) URL (like "http://127.0.0.1:8787").`);
    }
    const fetchFn = options.fetch ?? (globalThis.fetch as Fetch | undefined);
    if (typeof fetchFn !== 'function') {
      throw new CVKitError('No fetch in this runtime: pass new CVKit({ fetch }) (Node 18+, browsers, Workers, Deno and Bun have one).');
    }
    this.baseURL = baseURL;
    this.timeout = checkTimeout(options.timeout ?? DEFAULT_TIMEOUT_MS);
    this.maxRetries = checkMaxRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.#config = {
      baseURL,
      apiKey: options.apiKey ?? readEnv('CVKIT_API_KEY'),
      timeout: this.timeout,
      maxRetries: this.maxRetries,
      fetch: fetchFn,
      defaultHeaders: options.defaultHeaders ?? {},
      sleep: options.sleep ?? abortableSleep,
      random: options.random ?? Math.random,
    };
  }

  /**
   * What is in this image? ImageNet classes, best first.
   * @example
   * const { predictions } = await cv.classify(await fromFile('cat.jpg'), { top_k: 3 });
   */
  classify(image: ImageInput, options?: ClassifyOptions, request?: RequestOptions): APIPromise<ClassifyResponse> {
    return this.#task('/v1/classify', image, options, 'json', request);
  }

  /**
   * Where are the objects? COCO boxes in pixels of the image, best first. With `format: 'image'` the answer is the
   * annotated photo as a Blob instead (`.withResponse()` adds its headers: `x-detections`, `server-timing`).
   * @example
   * const { detections } = await cv.detect(bytes, { threshold: 0.3, classes: ['person'] });
   * const { data: picture, response } = await cv.detect(bytes, { format: 'image' }).withResponse();
   */
  detect(image: ImageInput, options: DetectOptions & ImageFormat<'image'>, request?: RequestOptions): APIPromise<Blob>;
  detect(image: ImageInput, options?: DetectOptions & Partial<ImageFormat<'json'>>, request?: RequestOptions): APIPromise<DetectResponse>;
  detect(image: ImageInput, options?: DetectOptions, request?: RequestOptions): APIPromise<DetectResponse | Blob>;
  detect(image: ImageInput, options?: DetectOptions, request?: RequestOptions): APIPromise<DetectResponse | Blob> {
    return this.#task('/v1/detect', image, options, options?.format === 'image' ? 'blob' : 'json', request);
  }

  /**
   * Which pixel is what? PASCAL VOC classes present, largest first, and the class map (`decodeMask(result)`).
   * With `format: 'image'` (overlay), `'mask'` (colour mask) or `'cutout'` (see `cutout`) the answer is a PNG Blob instead.
   * @example
   * const result = await cv.segment(photo, { mask: 'png' });
   * const { data, width } = await decodeMask(result);
   */
  segment(image: ImageInput, options: SegmentOptions & ImageFormat<'image' | 'mask' | 'cutout'>, request?: RequestOptions): APIPromise<Blob>;
  segment(image: ImageInput, options?: SegmentOptions & Partial<ImageFormat<'json'>>, request?: RequestOptions): APIPromise<SegmentResponse>;
  segment(image: ImageInput, options?: SegmentOptions, request?: RequestOptions): APIPromise<SegmentResponse | Blob>;
  segment(image: ImageInput, options?: SegmentOptions, request?: RequestOptions): APIPromise<SegmentResponse | Blob> {
    const blob = options?.format === 'image' || options?.format === 'mask' || options?.format === 'cutout';
    return this.#task('/v1/segment', image, options, blob ? 'blob' : 'json', request);
  }

  /**
   * The photo with its background removed: a PNG Blob, transparent except the kept classes (`classes`, default every
   * class but background), cut along the segmentation mask at the photo's resolution (`segment` with `format: 'cutout'`).
   * @example
   * const png = await cv.cutout(photo, { classes: ['cat', 'dog'] });
   */
  cutout(image: ImageInput, options?: Omit<SegmentOptions, 'format' | 'mask' | 'legend'>, request?: RequestOptions): APIPromise<Blob> {
    return this.segment(image, { ...options, format: 'cutout' }, request);
  }

  /**
   * Where are each person's joints? The 17 COCO keypoints (`nose` ... `right_ankle`) of every person, in pixels of
   * the image, best person first. With `format: 'image'` the answer is the photo with the skeletons drawn, as a Blob.
   * @example
   * const { people } = await cv.pose(photo, { max_people: 3 });
   * const wrist = people[0]?.keypoints.find((k) => k.name === 'left_wrist' && k.score > 0.3);
   */
  pose(image: ImageInput, options: PoseOptions & ImageFormat<'image'>, request?: RequestOptions): APIPromise<Blob>;
  pose(image: ImageInput, options?: PoseOptions & Partial<ImageFormat<'json'>>, request?: RequestOptions): APIPromise<PoseResponse>;
  pose(image: ImageInput, options?: PoseOptions, request?: RequestOptions): APIPromise<PoseResponse | Blob>;
  pose(image: ImageInput, options?: PoseOptions, request?: RequestOptions): APIPromise<PoseResponse | Blob> {
    return this.#task('/v1/pose', image, options, options?.format === 'image' ? 'blob' : 'json', request);
  }

  /**
   * Several images, one classification each, in one request (at most 16). `results[i]` answers `images[i]`: the
   * usual response, or `{ error }` for an image that failed (the others still succeed).
   * @example
   * const { results } = await cv.classifyBatch([urlA, bytesB], { top_k: 1 });
   * for (const r of results) console.log('error' in r ? r.error.message : r.predictions[0]?.label);
   */
  classifyBatch(images: readonly ImageInput[], options?: ClassifyOptions, request?: RequestOptions): APIPromise<ClassifyBatchResponse> {
    return this.#batch('/v1/classify', images, options, request);
  }

  /** Several images, detections for each (at most 16; JSON only, so no `format`): see `classifyBatch`. */
  detectBatch(images: readonly ImageInput[], options?: Omit<DetectOptions, 'format'>, request?: RequestOptions): APIPromise<DetectBatchResponse> {
    return this.#batch('/v1/detect', images, options, request);
  }

  /** Several images, the people and keypoints in each (at most 16; JSON only, so no `format`): see `classifyBatch`. */
  poseBatch(images: readonly ImageInput[], options?: Omit<PoseOptions, 'format'>, request?: RequestOptions): APIPromise<PoseBatchResponse> {
    return this.#batch('/v1/pose', images, options, request);
  }

  /** Several images, a segmentation of each (at most 16; JSON only, so no `format`): see `classifyBatch`. */
  segmentBatch(images: readonly ImageInput[], options?: Omit<SegmentOptions, 'format'>, request?: RequestOptions): APIPromise<SegmentBatchResponse> {
    return this.#batch('/v1/segment', images, options, request);
  }

  /**
   * An image embedding: a unit vector whose cosine similarity to another image's means visual similarity (near
   * duplicates score above 0.9). `encoding: 'base64'` makes it a quarter of the JSON; `decodeEmbedding` reads either.
   * @example
   * const a = await cv.embed(photoA);
   * const b = await cv.embed(photoB);
   * cosineSimilarity(a.embedding, b.embedding); // 0.97: the same photo, re-encoded
   */
  embed(image: ImageInput, options?: EmbedOptions, request?: RequestOptions): APIPromise<EmbedResponse> {
    return this.#task('/v1/embed', image, options, 'json', request);
  }

  /** Several images, an embedding each (at most 16): the normal way to fill a vector index. See `classifyBatch`. */
  embedBatch(images: readonly ImageInput[], options?: EmbedOptions, request?: RequestOptions): APIPromise<EmbedBatchResponse> {
    return this.#batch('/v1/embed', images, options, request);
  }

  /**
   * How alike two or more images are (at most 16): the N x N matrix of cosine similarities of their embeddings.
   * @example
   * const { matrix } = await cv.similarity([original, upload]);
   * if ((matrix[0]?.[1] ?? 0) > 0.9) console.log('seen before');
   */
  similarity(images: readonly ImageInput[], options?: SimilarityOptions, request?: RequestOptions): APIPromise<SimilarityResponse> {
    return this.#batch('/v1/similarity', images, options, request);
  }

  /**
   * Several tasks on one image, decoded once. `results.<task>` is that task's usual response, or `{ error }` when
   * that task failed (a bad option or model); a problem with the image itself rejects the call.
   * @example
   * const { results } = await cv.analyze(photo, { tasks: { classify: { top_k: 3 }, detect: { threshold: 0.3 } } });
   * const { results: all } = await cv.analyze(photo, { tasks: ['classify', 'detect', 'segment'] });
   */
  analyze(image: ImageInput, options: AnalyzeOptions, request?: RequestOptions): APIPromise<AnalyzeResponse> {
    return apiPromise(
      toAnalyzeBody(image, options.tasks).then(({ body, headers, query }) =>
        sendWithResponse(this.#config, { method: 'POST', path: '/v1/analyze', body, headers, query, expect: 'json' }, request),
      ),
    );
  }

  /**
   * Every served model (or one task's: `models({ task: 'detect' })`): id, task, tier, input size, labels, license,
   * accuracy, and which is each task's default.
   */
  models(request?: RequestOptions): APIPromise<ModelList>;
  models(query: ModelsQuery, request?: RequestOptions): APIPromise<ModelList>;
  models(query?: ModelsQuery | RequestOptions, request?: RequestOptions): APIPromise<ModelList> {
    // models(request) keeps working: a filter has `task`, per-call settings never do.
    const filter = query && 'task' in query ? (query as ModelsQuery) : undefined;
    const settings = filter ? request : ((query as RequestOptions | undefined) ?? request);
    const params: Record<string, string> = filter?.task ? { task: filter.task } : {};
    return apiPromise(sendWithResponse(this.#config, { method: 'GET', path: '/v1/models', query: params, expect: 'json' }, settings));
  }

  /** One model with its label names (`label_names`, index for index) and the aliases `classes` accepts. */
  model(id: string, request?: RequestOptions): APIPromise<ModelDetail> {
    return apiPromise(sendWithResponse(this.#config, { method: 'GET', path: `/v1/models/${encodeURIComponent(id)}`, expect: 'json' }, request));
  }

  /** `{ status: 'ok', version, isolate }` when the API is up. */
  health(request?: RequestOptions): APIPromise<Health> {
    return apiPromise(sendWithResponse(this.#config, { method: 'GET', path: '/health', expect: 'json' }, request));
  }

  #batch<T>(path: string, images: readonly ImageInput[], options: object | undefined, request: RequestOptions | undefined): APIPromise<T> {
    return apiPromise(
      toBatchBody(images, options).then(({ body, headers, query }) => sendWithResponse(this.#config, { method: 'POST', path, body, headers, query, expect: 'json' }, request)),
    );
  }

  #task<T>(path: string, image: ImageInput, options: object | undefined, expect: HttpRequest['expect'], request: RequestOptions | undefined): APIPromise<T> {
    return apiPromise(
      toRequestBody(image, options).then(({ body, headers, query }) => sendWithResponse(this.#config, { method: 'POST', path, body, headers, query, expect }, request)),
    );
  }
}
