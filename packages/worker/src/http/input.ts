/**
 * Reading the caller's image and options from a request, in every form the API accepts:
 * - the raw body, with an image/* (or application/octet-stream) content type, options in the query string;
 * - JSON `{ "image": "<http(s) URL | data: URL | base64>", ...options }`;
 * - multipart/form-data with an `image` file field, other fields as options.
 * Every limit and malformation becomes an ApiError with a message that names the fix.
 */
import { ApiError, clip } from '../errors';
import { createUrlPolicy } from './address';
import { guardFetch, readFetchedImage, readUpTo } from './fetch-image';

/** Largest image accepted, in bytes (raw, after base64 decoding, or fetched from a URL). */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Largest request body: an image of MAX_IMAGE_BYTES in base64 inside JSON fits. */
export const MAX_BODY_BYTES = 14 * 1024 * 1024;
export { FETCH_TIMEOUT_MS } from './fetch-image';

export interface ImageInput {
  bytes: Uint8Array;
  options: Record<string, unknown>;
}

const mib = (n: number) => `${Math.round((n / 1048576) * 10) / 10} MiB`;

/**
 * Reads a request body stream, failing as soon as it exceeds `limit` bytes (then draining a bounded rest). A body that breaks off is invalid_request; one the body deadline cut (body-guard.ts) request_timeout.
 */
export function readLimited(body: ReadableStream<Uint8Array> | null, limit: number, what: string): Promise<Uint8Array> {
  return readUpTo(
    body,
    limit,
    () => new ApiError('payload_too_large', `${what} is larger than ${mib(limit)}. Downscale or recompress the image.`),
    (err) =>
      err instanceof ApiError
        ? err
        : err instanceof Error && err.name === 'TimeoutError'
          ? new ApiError('request_timeout', `${what} was not received in time: send the whole body promptly.`)
          : new ApiError('invalid_request', `${what} could not be read: the connection broke off.`),
    { afterLimit: drain },
  );
}

/**
 * Reads and drops up to 16 MiB more of a body over the limit before the 413 goes out (the body deadline bounds the
 * time): an HTTP/1.1 peer still sending could otherwise lose the connection, and the answer with it.
 */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>) {
  try {
    for (let drained = 0; drained < 16 * 1024 * 1024; ) {
      const { done, value } = await reader.read();
      if (done) return;
      drained += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // the deadline, or the client went away
  }
}

/** The default for callers that pass no fetch: the global one, behind the default URL policy. */
const defaultImageFetch = guardFetch((...args) => fetch(...args), { policy: createUrlPolicy() });

/** 413 from the Content-Length header alone, before reading a byte of the body. */
export function checkDeclaredLength(req: Request): void {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) {
    throw new ApiError('payload_too_large', `The request body is ${mib(declared)}; the limit is ${mib(MAX_BODY_BYTES)}.`);
  }
}

function decodeBase64(text: string, what: string): Uint8Array {
  const clean = text.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length === 0) {
    throw new ApiError('invalid_request', `${what} is not valid base64.`);
  }
  if ((clean.length * 3) / 4 > MAX_IMAGE_BYTES + 3) {
    throw new ApiError('payload_too_large', `The image is larger than ${mib(MAX_IMAGE_BYTES)}.`);
  }
  let binary: string;
  try {
    binary = atob(clean.padEnd(Math.ceil(clean.length / 4) * 4, '='));
  } catch {
    // e.g. "AAAAA": a length that no base64 encoding has
    throw new ApiError('invalid_request', `${what} is not valid base64.`);
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function decodeDataUrl(url: string): Uint8Array {
  const comma = url.indexOf(',');
  if (comma < 0) throw new ApiError('invalid_request', 'The data: URL has no comma before its data.');
  const meta = url.slice(5, comma);
  const data = url.slice(comma + 1);
  if (/;base64$/i.test(meta)) return decodeBase64(data, 'The data: URL');
  // Percent-encoding straight to bytes (decodeURIComponent would insist on UTF-8).
  const bytes: number[] = [];
  for (let i = 0; i < data.length; i++) {
    if (data[i] === '%') {
      const hex = data.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new ApiError('invalid_request', 'The data: URL is not valid percent-encoding.');
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(data.charCodeAt(i) & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}

/** Resolves the JSON body's `image` string: an http(s) URL, a data: URL, or bare base64. */
async function imageFromString(value: string, fetcher: typeof fetch): Promise<Uint8Array> {
  const text = value.trim();
  if (/^data:/i.test(text)) return decodeDataUrl(text);
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ApiError('invalid_request', 'The image URL is not a valid URL.');
    }
    return readFetchedImage(await fetcher(url), MAX_IMAGE_BYTES);
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) {
    throw new ApiError('invalid_request', `Unsupported image URL scheme '${clip(text.split(':')[0] ?? '', 32)}:'; use http(s), data: or base64.`);
  }
  return decodeBase64(text, '`image`');
}

function queryOptions(url: URL): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) options[key] = value;
  return options;
}

/** Reads the image and the options (query string merged with body fields, body winning) from a request. */
export async function readImageInput(req: Request, fetcher: typeof fetch = defaultImageFetch): Promise<ImageInput> {
  const query = queryOptions(new URL(req.url));
  checkDeclaredLength(req);
  const type = (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

  if (type === 'application/json') {
    const text = new TextDecoder().decode(await readLimited(req.body, MAX_BODY_BYTES, 'The request body'));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError('invalid_json', 'The request body is not valid JSON.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ApiError('invalid_json', 'The JSON body must be an object like {"image": "https://..."}.');
    }
    const { image, ...options } = body as Record<string, unknown>;
    if (typeof image !== 'string' || image === '') {
      throw new ApiError('invalid_request', 'The JSON body needs an `image` string: an http(s) URL, a data: URL or base64.');
    }
    return { bytes: await imageFromString(image, fetcher), options: { ...query, ...options } };
  }

  if (type === 'multipart/form-data') {
    const raw = await readLimited(req.body, MAX_BODY_BYTES, 'The request body');
    let form: FormData;
    try {
      form = await new Response(raw as Uint8Array<ArrayBuffer>, { headers: { 'content-type': req.headers.get('content-type') ?? '' } }).formData();
    } catch {
      throw new ApiError('invalid_request', 'The multipart body is malformed.');
    }
    const options: Record<string, unknown> = { ...query };
    let bytes: Uint8Array | undefined;
    for (const [key, value] of form) {
      if (key === 'image') {
        if (bytes) throw new ApiError('invalid_request', 'The multipart body has more than one `image` field; send one image per request.');
        bytes = typeof value === 'string' ? await imageFromString(value, fetcher) : new Uint8Array(await value.arrayBuffer());
      } else if (typeof value === 'string') {
        options[key] = value;
      }
    }
    if (!bytes) throw new ApiError('invalid_request', 'The multipart body needs an `image` file field.');
    if (bytes.byteLength > MAX_IMAGE_BYTES) throw new ApiError('payload_too_large', `The image is larger than ${mib(MAX_IMAGE_BYTES)}.`);
    return { bytes, options };
  }

  if (type.startsWith('image/') || type === 'application/octet-stream') {
    const bytes = await readLimited(req.body, MAX_IMAGE_BYTES, 'The image');
    if (bytes.byteLength === 0) throw new ApiError('invalid_request', 'The request body is empty; send the image bytes.');
    return { bytes, options: query };
  }

  throw new ApiError(
    'unsupported_media_type',
    type
      ? `Unsupported content type '${clip(type)}'. Send the image as image/*, JSON {"image": ...} or multipart/form-data.`
      : 'Missing content type. Send the image as image/*, JSON {"image": ...} or multipart/form-data.',
  );
}
