/**
 * The images and options of a task request, in every form the API accepts:
 * - the raw body, with an image/* (or application/octet-stream) content type, options in the query string;
 * - JSON `{ "image": "<http(s) URL | data: URL | base64>", ...options }`, or `{ "images": [...], ...options }`;
 * - multipart/form-data with an `image` file field (or several `image` / `images` fields), other fields as options.
 * A batch's images are resolved one at a time, when processed: a bad item (bad base64, an URL that fails) is that
 * item's error, never the request's. Limits on the whole request (body size, image count) fail the request.
 */
import { MAX_BATCH_IMAGES } from '@cvkit/sdk/contract';
import { ApiError, clip } from '../errors';
import { MAX_IMAGE_BYTES, addOption, checkDeclaredLength, defaultImageFetch, imageFromString, mib, queryOptions, readBody, readLimited } from './input';

export interface ImageItem {
  /** The image's bytes; an ApiError when this image cannot be had (it fails this image only, in a batch). */
  load(): Promise<Uint8Array>;
}

export interface RequestImages {
  /** In request order; exactly one unless `batch`. */
  items: ImageItem[];
  /** Sent as a batch (`images`, or several `image` fields): answer `{ "results": [...] }`. */
  batch: boolean;
  /** Query string merged with body fields, body winning; repeated query or form options are lists. */
  options: Record<string, unknown>;
}

const ready = (bytes: Uint8Array): ImageItem => ({ load: async () => bytes });

function checkCount(count: number) {
  if (count > MAX_BATCH_IMAGES) {
    throw new ApiError('invalid_request', `A request takes at most ${MAX_BATCH_IMAGES} images; it has ${count}. Split the batch.`);
  }
}

function jsonItem(value: unknown, at: string, fetcher: typeof fetch): ImageItem {
  return {
    load: async () => {
      if (typeof value !== 'string' || value === '') {
        throw new ApiError('invalid_request', `${at} must be a string: an http(s) URL, a data: URL or base64.`);
      }
      return imageFromString(value, fetcher);
    },
  };
}

function formItem(value: FormDataEntryValue, fetcher: typeof fetch): ImageItem {
  if (typeof value === 'string') return { load: () => imageFromString(value, fetcher) };
  return {
    load: async () => {
      if (value.size > MAX_IMAGE_BYTES) throw new ApiError('payload_too_large', `The image is larger than ${mib(MAX_IMAGE_BYTES)}.`);
      return new Uint8Array(await value.arrayBuffer());
    },
  };
}

/** Reads a request's image(s) and options. Request-level problems throw; per-image ones wait in `load()`. */
export async function readImages(req: Request, fetcher: typeof fetch = defaultImageFetch): Promise<RequestImages> {
  const query = queryOptions(new URL(req.url));
  checkDeclaredLength(req);
  const type = (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

  if (type === 'application/json') {
    const text = new TextDecoder().decode(await readBody(req));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError('invalid_json', 'The request body is not valid JSON.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ApiError('invalid_json', 'The JSON body must be an object like {"image": "https://..."}.');
    }
    const { image, images, ...options } = body as Record<string, unknown>;
    if (images !== undefined) {
      if (image !== undefined) throw new ApiError('invalid_request', 'Send `image` (one image) or `images` (a list), not both.');
      if (!Array.isArray(images) || images.length === 0) {
        throw new ApiError('invalid_request', '`images` must be a non-empty list of image strings (http(s) URLs, data: URLs or base64).');
      }
      checkCount(images.length);
      return { items: images.map((v, i) => jsonItem(v, `images[${i}]`, fetcher)), batch: true, options: { ...query, ...options } };
    }
    if (typeof image !== 'string' || image === '') {
      throw new ApiError('invalid_request', 'The JSON body needs an `image` string: an http(s) URL, a data: URL or base64 (or `images`, a list of them).');
    }
    return { items: [ready(await imageFromString(image, fetcher))], batch: false, options: { ...query, ...options } };
  }

  if (type === 'multipart/form-data') {
    const raw = await readBody(req);
    let form: FormData;
    try {
      form = await new Response(raw as Uint8Array<ArrayBuffer>, { headers: { 'content-type': req.headers.get('content-type') ?? '' } }).formData();
    } catch {
      throw new ApiError('invalid_request', 'The multipart body is malformed.');
    }
    const fields: Record<string, unknown> = {};
    const images: FormDataEntryValue[] = [];
    let listField = false;
    for (const [key, value] of form) {
      if (key === 'image' || key === 'images') {
        images.push(value);
        listField ||= key === 'images';
      } else if (typeof value === 'string') {
        addOption(fields, key, value);
      }
    }
    if (images.length === 0) throw new ApiError('invalid_request', 'The multipart body needs an `image` file field (or several, for a batch).');
    checkCount(images.length);
    const batch = listField || images.length > 1;
    const items = images.map((v) => formItem(v, fetcher));
    // One image is read now, so that its problems are the request's, as they always were.
    const first = items[0] as ImageItem;
    return { items: batch ? items : [ready(await first.load())], batch, options: { ...query, ...fields } };
  }

  if (type.startsWith('image/') || type === 'application/octet-stream') {
    const bytes = await readLimited(req.body, MAX_IMAGE_BYTES, 'The image');
    if (bytes.byteLength === 0) throw new ApiError('invalid_request', 'The request body is empty; send the image bytes.');
    return { items: [ready(bytes)], batch: false, options: query };
  }

  throw new ApiError(
    'unsupported_media_type',
    type
      ? `Unsupported content type '${clip(type)}'. Send the image as image/*, JSON {"image": ...} or multipart/form-data.`
      : 'Missing content type. Send the image as image/*, JSON {"image": ...} or multipart/form-data.',
  );
}
