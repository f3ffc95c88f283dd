/**
 * Turning whatever image the caller has into a request body, without bloating it:
 * - an http(s) URL (string or `URL`) or a `data:` URL goes up as JSON `{ "image": "<url>", ...options }`: the
 *   worker fetches the URL itself, the client never downloads it;
 * - bytes (`Blob`/`File`, `ArrayBuffer`, `Uint8Array`/`Buffer`, any typed array, a `ReadableStream`) go up as the
 *   raw request body with the image's content type, options in the query string.
 * A `ReadableStream` is read into memory first: the API takes images up to 10 MiB, a buffered body can be sent again
 * on a retry, and browsers only stream request bodies over HTTP/2.
 */
import { CVKitError } from './errors';

/** Anything the client accepts as an image. In Node, `fromFile(path)` from `@cvkit/sdk/node` gives a `File`. */
export type ImageInput = string | URL | Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>;

/** Option values as they may appear in a task's options object. */
export type OptionValue = string | number | boolean | readonly string[] | undefined;

export interface RequestBody {
  body: BodyInit;
  headers: Record<string, string>;
  /** Options to put in the query string (for raw bodies). */
  query: Record<string, string>;
}

const isBlob = (v: unknown): v is Blob =>
  typeof v === 'object' && v !== null && typeof (v as Blob).arrayBuffer === 'function' && typeof (v as Blob).type === 'string' && typeof (v as Blob).size === 'number';
const isArrayBuffer = (v: unknown): v is ArrayBuffer => Object.prototype.toString.call(v) === '[object ArrayBuffer]';
const isStream = (v: unknown): v is ReadableStream<Uint8Array> => typeof v === 'object' && v !== null && typeof (v as ReadableStream).getReader === 'function';
const isURL = (v: unknown): v is URL => typeof v === 'object' && v !== null && Object.prototype.toString.call(v) === '[object URL]';

/** An option value as it travels in a query string, a JSON body or a form field: lists become "a,b,c". */
export function serializeOption(value: OptionValue): string | number | boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return value.join(',');
}

function serializeOptions(options: object | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    const v = serializeOption(value as OptionValue);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** The image type from the first bytes, for the formats the API decodes or names; undefined when unknown. */
export function sniffImageType(head: Uint8Array): string | undefined {
  const at = (i: number) => head[i] ?? -1;
  const ascii = (from: number, text: string) => [...text].every((ch, i) => at(from + i) === ch.charCodeAt(0));
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if (at(0) === 0x89 && ascii(1, 'PNG')) return 'image/png';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  if (ascii(0, 'GIF8')) return 'image/gif';
  if (ascii(0, 'BM')) return 'image/bmp';
  if (ascii(4, 'ftypavif') || ascii(4, 'ftypavis')) return 'image/avif';
  if (ascii(4, 'ftypheic') || ascii(4, 'ftypheix') || ascii(4, 'ftypmif1')) return 'image/heic';
  if ((at(0) === 0x49 && at(1) === 0x49 && at(2) === 0x2a) || (at(0) === 0x4d && at(1) === 0x4d && at(3) === 0x2a)) return 'image/tiff';
  return undefined;
}

function viewBytes(view: ArrayBufferView): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  // A view on a SharedArrayBuffer is not a valid fetch body: copy it.
  return (isArrayBuffer(bytes.buffer) ? bytes : new Uint8Array(bytes)) as Uint8Array<ArrayBuffer>;
}

async function readStream(stream: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!ArrayBuffer.isView(value)) throw new CVKitError('The image stream must yield Uint8Array chunks.');
    chunks.push(value);
    size += value.byteLength;
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function jsonBody(image: string, options: object | undefined): RequestBody {
  return {
    body: JSON.stringify({ image, ...serializeOptions(options) }),
    headers: { 'content-type': 'application/json' },
    query: {},
  };
}

function rawBody(body: BodyInit, type: string, options: object | undefined): RequestBody {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(serializeOptions(options))) query[key] = String(value);
  return { body, headers: { 'content-type': type }, query };
}

/** An empty image is refused before sending: the answer could only be a 400, and an empty file is usually a bug upstream (a read that failed, a file still being written). */
function nonEmpty<T extends { size: number } | { byteLength: number }>(image: T, what: string): T {
  if (('size' in image ? image.size : image.byteLength) === 0) throw new CVKitError(`The image is empty (0 bytes ${what}): pass the bytes of a JPEG, PNG, WebP, GIF or BMP file.`);
  return image;
}

const NOT_AN_IMAGE_STRING =
  'An image string must be an http(s) URL or a data: URL. For a file in Node use fromFile(path) from "@cvkit/sdk/node"; for bytes pass a Uint8Array, ArrayBuffer or Blob.';

/** Builds the request body for a task call. Throws `CVKitError` for input it cannot send. */
export async function toRequestBody(image: ImageInput, options?: object): Promise<RequestBody> {
  if (typeof image === 'string' || isURL(image)) {
    const text = (typeof image === 'string' ? image : image.href).trim();
    if (/^(https?:\/\/|data:)/i.test(text)) return jsonBody(text, options);
    throw new CVKitError(`${NOT_AN_IMAGE_STRING} Got ${text.length > 40 ? `${text.slice(0, 40)}...` : JSON.stringify(text)}.`);
  }
  if (isBlob(image)) {
    nonEmpty(image, 'in the Blob');
    const type = image.type.startsWith('image/') ? image.type : (sniffImageType(new Uint8Array(await image.slice(0, 16).arrayBuffer())) ?? 'application/octet-stream');
    return rawBody(image, type, options);
  }
  if (isArrayBuffer(image)) image = new Uint8Array(image);
  if (ArrayBuffer.isView(image)) {
    const bytes = nonEmpty(viewBytes(image), 'given');
    return rawBody(bytes, sniffImageType(bytes.subarray(0, 16)) ?? 'application/octet-stream', options);
  }
  if (isStream(image)) {
    const bytes = nonEmpty(await readStream(image), 'read from the stream');
    return rawBody(bytes, sniffImageType(bytes.subarray(0, 16)) ?? 'application/octet-stream', options);
  }
  throw new CVKitError(`Unsupported image input (${Object.prototype.toString.call(image)}). ${NOT_AN_IMAGE_STRING}`);
}

/**
 * One image as a multipart part: URLs and data: URLs stay strings (the worker fetches or decodes them), everything
 * else becomes a Blob with the image's type.
 */
export async function toImagePart(image: ImageInput): Promise<Blob | string> {
  if (typeof image === 'string' || isURL(image)) {
    const text = (typeof image === 'string' ? image : image.href).trim();
    if (/^(https?:\/\/|data:)/i.test(text)) return text;
    throw new CVKitError(`${NOT_AN_IMAGE_STRING} Got ${text.length > 40 ? `${text.slice(0, 40)}...` : JSON.stringify(text)}.`);
  }
  if (isBlob(image)) return nonEmpty(image, 'in the Blob');
  if (isArrayBuffer(image)) image = new Uint8Array(image);
  const bytes = ArrayBuffer.isView(image) ? viewBytes(image) : isStream(image) ? await readStream(image) : undefined;
  if (!bytes) throw new CVKitError(`Unsupported image input (${Object.prototype.toString.call(image)}). ${NOT_AN_IMAGE_STRING}`);
  nonEmpty(bytes, 'given');
  return new Blob([bytes], { type: sniffImageType(bytes.subarray(0, 16)) ?? 'application/octet-stream' });
}

/** Most images one batch request may carry (the API's limit). */
export const MAX_BATCH_IMAGES = 16;

/**
 * The body of a batch: JSON `{ images: [...] }` when every image is a URL or data: URL, else multipart with one
 * `images` part per image (bytes go up as they are, not as base64). Options travel beside them.
 */
export async function toBatchBody(images: readonly ImageInput[], options?: object): Promise<RequestBody> {
  if (!Array.isArray(images) || images.length === 0) throw new CVKitError('A batch needs at least one image.');
  if (images.length > MAX_BATCH_IMAGES) {
    throw new CVKitError(`A batch takes at most ${MAX_BATCH_IMAGES} images; got ${images.length}. Split it into several calls.`);
  }
  const parts = await Promise.all(images.map(toImagePart));
  if (parts.every((p) => typeof p === 'string')) {
    return { body: JSON.stringify({ images: parts, ...serializeOptions(options) }), headers: { 'content-type': 'application/json' }, query: {} };
  }
  const form = new FormData();
  parts.forEach((part, i) => (typeof part === 'string' ? form.append('images', part) : form.append('images', part, `image-${i}`)));
  for (const [key, value] of Object.entries(serializeOptions(options))) form.append(key, String(value));
  return { body: form, headers: {}, query: {} };
}

/** The body of an analyze call: JSON for a URL, else multipart with the image and `tasks` as a JSON string. */
export async function toAnalyzeBody(image: ImageInput, tasks: unknown): Promise<RequestBody> {
  const part = await toImagePart(image);
  if (typeof part === 'string') return { body: JSON.stringify({ image: part, tasks }), headers: { 'content-type': 'application/json' }, query: {} };
  const form = new FormData();
  form.append('image', part, 'image');
  form.append('tasks', JSON.stringify(tasks));
  return { body: form, headers: {}, query: {} };
}
