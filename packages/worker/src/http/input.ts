/**
 * The parts of reading a request that every form shares: bounded body reads, image strings (http(s) URL, data:
 * URL, base64) and URL fetching, and options from query strings and form fields. images.ts puts them together
 * into the request forms the API accepts (raw body, JSON, multipart; one image or a batch).
 * Every limit and malformation becomes an ApiError with a message that names the fix.
 */
import { ApiError } from '../errors';

/** Largest image accepted, in bytes (raw, after base64 decoding, or fetched from a URL). */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Largest request body: an image of MAX_IMAGE_BYTES in base64 inside JSON fits. */
export const MAX_BODY_BYTES = 14 * 1024 * 1024;
/** How long fetching an image URL may take. */
export const FETCH_TIMEOUT_MS = 10_000;

export const mib = (n: number) => `${Math.round((n / 1048576) * 10) / 10} MiB`;

/** Largest body read and discarded after a limit is hit, so the connection stays usable for the next request. */
const DRAIN_BYTES = 64 * 1024 * 1024;

export async function drain(reader: ReadableStreamDefaultReader<Uint8Array>) {
  let drained = 0;
  try {
    while (drained < DRAIN_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      drained += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // the client went away: nothing left to keep usable
  }
}

/**
 * Reads a body stream, failing as soon as it exceeds `limit` bytes. A stream that breaks off (a client or an image
 * server going away mid-body) is `failCode` naming `what`.
 */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  what: string,
  failCode: 'invalid_request' | 'fetch_failed' = 'invalid_request',
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (err) {
      const reason = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError') ? 'it took too long' : 'the connection broke off';
      throw new ApiError(failCode, `${what} could not be read: ${reason}.`);
    }
    const { done, value } = next;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await drain(reader);
      throw new ApiError('payload_too_large', `${what} is larger than ${mib(limit)}. Downscale or recompress the image.`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
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

/** Fetches an image URL with a time and size limit; failures are 422 fetch_failed naming the reason. */
export async function fetchImage(url: URL, fetcher: typeof fetch = fetch): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetcher(url, { headers: { accept: 'image/*' }, redirect: 'follow', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (err) {
    const reason = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
      ? `no answer within ${FETCH_TIMEOUT_MS / 1000} s`
      : err instanceof Error ? err.message : String(err);
    throw new ApiError('fetch_failed', `Could not fetch the image URL ${url.href}: ${reason}.`);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    throw new ApiError('fetch_failed', `Could not fetch the image URL ${url.href}: it answered HTTP ${res.status}.`);
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_IMAGE_BYTES) {
    await res.body?.cancel().catch(() => {});
    throw new ApiError('payload_too_large', `The image at ${url.href} is ${mib(declared)}; the limit is ${mib(MAX_IMAGE_BYTES)}.`);
  }
  return readLimited(res.body, MAX_IMAGE_BYTES, `The image at ${url.href}`, 'fetch_failed');
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
    return fetchImage(url, fetcher);
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) {
    throw new ApiError('invalid_request', `Unsupported image URL scheme '${text.split(':')[0]}:'; use http(s), data: or base64.`);
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

/** Reads the whole request body within MAX_BODY_BYTES, refusing a declared length over it before reading. */
export async function readBody(req: Request): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) {
    if (req.body) await drain(req.body.getReader());
    throw new ApiError('payload_too_large', `The request body is ${mib(declared)}; the limit is ${mib(MAX_BODY_BYTES)}.`);
  }
  return readLimited(req.body, MAX_BODY_BYTES, 'The request body');
}
