/**
 * The parts of reading a request that every form shares: bounded body reads, image strings (http(s) URL, data:
 * URL, base64) and URL fetching, and options from query strings and form fields. images.ts puts them together
 * into the request forms the API accepts (raw body, JSON, multipart; one image or a batch).
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

export const mib = (n: number) => `${Math.round((n / 1048576) * 10) / 10} MiB`;

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
    { afterLimit: (reader) => drain(reader) },
  );
}

/**
 * Reads and drops up to `limit` (16 MiB) more of a body over the limit before the 413 goes out (the body deadline
 * bounds the time): an HTTP/1.1 peer still sending could otherwise lose the connection, and the answer with it.
 * `onChunk` hears of each chunk dropped.
 */
export async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, limit = 16 * 1024 * 1024, onChunk: () => void = () => {}) {
  try {
    for (let drained = 0; drained < limit; ) {
      const { done, value } = await reader.read();
      if (done) return;
      drained += value.byteLength;
      onChunk();
    }
    await reader.cancel();
  } catch {
    // the deadline, or the client went away
  }
}

/** The default for callers that pass no fetch: the global one, behind the default URL policy. */
export const defaultImageFetch = guardFetch((...args) => fetch(...args), { policy: createUrlPolicy() });

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
export async function imageFromString(value: string, fetcher: typeof fetch): Promise<Uint8Array> {
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

/**
 * Adds one option value as read from a query string or a form field. A repeated option becomes a list (in order):
 * list options (`classes`) take it as one, scalar options refuse it with a 400 naming the option, and nothing is
 * dropped silently.
 */
export function addOption(options: Record<string, unknown>, key: string, value: string): void {
  const had = options[key];
  options[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
}

/** The query string's options; a repeated key gives a list. */
export function queryOptions(url: URL): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) addOption(options, key, value);
  return options;
}

/** Reads the whole request body within MAX_BODY_BYTES, refusing a declared length over it before reading a byte. */
export async function readBody(req: Request): Promise<Uint8Array> {
  checkDeclaredLength(req);
  return readLimited(req.body, MAX_BODY_BYTES, 'The request body');
}
