/**
 * The result cache: the same image bytes, task, model and options answer what they answered before, without
 * decoding or running the model again (a phone app resends the same photo on retries, for several tasks, on every
 * re-render). Two levels: an in-isolate LRU bounded in bytes, then the Workers Cache API (`caches.default`, the
 * data centre's cache; absent in Node, where the LRU is all there is). The key is the SHA-256 of the image bytes
 * (an image URL is keyed by the bytes it returned, never the URL) with the task, the model that answers, the
 * normalised options and the answer's kind (JSON or which picture), so different options never share an entry.
 * `cache=false` or a request's `Cache-Control: no-cache` computes afresh and stores nothing. Answers carry
 * `cvkit-cache: hit|miss|bypass`. Only successful answers are kept.
 */
import type { Context } from 'hono';
import type { TaskAnswer } from './task';

/** Bytes of answers the LRU holds per isolate (README: Result cache). */
export const RESULT_CACHE_BYTES = 8 * 1024 * 1024;
/** How long the Cache API keeps an answer. The key names the model, so a new model never meets an old answer. */
export const RESULT_CACHE_TTL_S = 24 * 60 * 60;
/** Bump when an answer's shape changes: entries under an old version are never read again. */
const KEY_VERSION = 'v1';
/** The Cache API wants a URL: a host of our own that never resolves. */
const KEY_ORIGIN = 'https://result-cache.cvkit.invalid/';

export type CacheStatus = 'hit' | 'miss' | 'bypass';

/** What names one answer. `options` are the parsed (defaulted) options; `cache` among them is left out. */
export interface ResultKeyParts {
  bytes: Uint8Array;
  task: string;
  model: string;
  options: object;
  /** The picture type the answer is, or undefined for JSON. */
  picture?: string | undefined;
}

/** The Cache API's `caches.default` as far as we use it. */
export interface ResponseStore {
  match(key: string): Promise<Response | undefined>;
  put(key: string, response: Response): Promise<void>;
}

/** Options with sorted keys at every level, `cache` left out: `{a,b}` and `{b,a}` are one key. */
export function normaliseOptions(options: object): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  const { cache: _, ...rest } = options as Record<string, unknown>;
  return JSON.stringify(sort(rest));
}

const hex = (buffer: ArrayBuffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

/** The cache key: a URL whose path is the SHA-256 of the image bytes and of everything else that shapes the answer. */
export async function resultKey({ bytes, task, model, options, picture }: ResultKeyParts): Promise<string> {
  const image = hex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  const rest = new TextEncoder().encode(JSON.stringify([KEY_VERSION, task, model, picture ?? 'json', normaliseOptions(options)]));
  return `${KEY_ORIGIN}${KEY_VERSION}/${image}/${hex(await crypto.subtle.digest('SHA-256', rest))}`;
}

/** Bytes an answer takes in the LRU, roughly: its body and headers. */
function answerBytes(answer: TaskAnswer): number {
  const headers = answer.picture ? answer.picture.headers : answer.headers;
  const head = JSON.stringify(headers ?? {}).length + 64;
  return head + (answer.picture ? answer.picture.bytes.byteLength + answer.picture.type.length : JSON.stringify(answer.json).length * 2);
}

/** An LRU of answers bounded by their bytes (a Map keeps insertion order: re-inserting on a hit makes it newest). */
export function createAnswerLru(maxBytes: number) {
  const entries = new Map<string, { answer: TaskAnswer; bytes: number }>();
  let total = 0;
  return {
    get(key: string): TaskAnswer | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      entries.set(key, entry);
      return entry.answer;
    },
    set(key: string, answer: TaskAnswer) {
      const bytes = answerBytes(answer);
      const old = entries.get(key);
      if (old) {
        entries.delete(key);
        total -= old.bytes;
      }
      if (bytes > maxBytes / 8) return; // one huge picture must not empty the cache
      entries.set(key, { answer, bytes });
      total += bytes;
      for (const [k, e] of entries) {
        if (total <= maxBytes) break;
        entries.delete(k);
        total -= e.bytes;
      }
    },
    get bytes() {
      return total;
    },
    get size() {
      return entries.size;
    },
  };
}

/**
 * A degraded answer (the other tier's, after a fallback) is not kept: it would stand for a day in place of the
 * answer the caller asked for.
 */
export function cacheable(answer: TaskAnswer): boolean {
  const headers = Object.keys((answer.picture ? answer.picture.headers : answer.headers) ?? {});
  return !headers.some((h) => h.toLowerCase().includes('fallback')) && !(answer.json && 'fallback' in answer.json);
}

/** An answer as a Cache API response: the body, and the headers and picture type in headers of our own. */
function toResponse(answer: TaskAnswer): Response {
  const headers = new Headers({ 'cache-control': `max-age=${RESULT_CACHE_TTL_S}` });
  if (answer.picture) {
    headers.set('cvkit-answer', JSON.stringify({ type: answer.picture.type, headers: answer.picture.headers }));
    return new Response(answer.picture.bytes.slice(), { headers });
  }
  headers.set('cvkit-answer', JSON.stringify({ headers: answer.headers ?? {} }));
  return new Response(JSON.stringify(answer.json), { headers });
}

async function fromResponse(response: Response): Promise<TaskAnswer | undefined> {
  const meta = JSON.parse(response.headers.get('cvkit-answer') ?? 'null') as { type?: string; headers: Record<string, string> } | null;
  if (!meta) return undefined;
  if (meta.type) return { picture: { bytes: new Uint8Array(await response.arrayBuffer()), type: meta.type, headers: meta.headers } };
  return { json: (await response.json()) as object, headers: meta.headers };
}

export interface ResultCacheOptions {
  maxBytes?: number;
  /** The Cache API store; undefined (Node): the LRU only. */
  store?: ResponseStore | undefined;
  /** Keeps a background write alive past the response (workerd's `waitUntil`). */
  waitUntil?: (work: Promise<unknown>) => void;
}

/** Looks an answer up, or computes and stores it. */
export function createResultCache({ maxBytes = RESULT_CACHE_BYTES, store }: ResultCacheOptions = {}) {
  const lru = createAnswerLru(maxBytes);
  return {
    lru,
    /**
     * The cached answer for `parts`, or `compute()`'s, stored. `bypass`: neither read nor write. A failing store
     * is only a miss: the cache must never fail a request.
     */
    async answer(parts: ResultKeyParts, compute: () => Promise<TaskAnswer>, { bypass = false, waitUntil }: { bypass?: boolean; waitUntil?: ResultCacheOptions['waitUntil'] } = {}): Promise<{ answer: TaskAnswer; status: CacheStatus }> {
      if (bypass) return { answer: await compute(), status: 'bypass' };
      const key = await resultKey(parts);
      const near = lru.get(key);
      if (near) return { answer: near, status: 'hit' };
      const far = store ? await store.match(key).then((r) => r && fromResponse(r)).catch(() => undefined) : undefined;
      if (far) {
        lru.set(key, far);
        return { answer: far, status: 'hit' };
      }
      const answer = await compute();
      if (!cacheable(answer)) return { answer, status: 'miss' };
      lru.set(key, answer);
      if (store) {
        const put = store.put(key, toResponse(answer)).catch(() => {});
        if (waitUntil) waitUntil(put);
        else await put;
      }
      return { answer, status: 'miss' };
    },
  };
}

/** `Cache-Control: no-cache` (or `no-store`) on the request asks for a fresh answer. */
export const requestBypasses = (cacheControl: string | undefined, options: { cache?: boolean | undefined }) =>
  options.cache === false || /(^|[\s,])no-(cache|store)\b/i.test(cacheControl ?? '');

/** How a request uses the cache: bypassed or not, and the host's `waitUntil` for the store's write (workerd). */
export function cacheMode(c: Context, options: { cache?: boolean | undefined }) {
  let waitUntil: ((work: Promise<unknown>) => void) | undefined;
  try {
    const ctx = c.executionCtx;
    waitUntil = (work) => ctx.waitUntil(work);
  } catch {
    // Node: no execution context, so the write is awaited.
  }
  return { bypass: requestBypasses(c.req.header('cache-control'), options), waitUntil };
}

/**
 * One image's answer through the result cache of the app serving it (`owner`: its provider, so that two apps in
 * one process, as Node tests make them, never share answers), its status for `cvkit-cache`. What serve-task.ts
 * wraps around a handler's run, for single images and batch items alike.
 */
export const cachedAnswer = (c: Context, owner: object, parts: ResultKeyParts & { options: { cache?: boolean | undefined } }, compute: () => Promise<TaskAnswer>) =>
  resultCacheOf(owner).answer(parts, compute, cacheMode(c, parts.options));

/** The platform's cache where there is one (`caches.default` in workerd), else undefined. */
export function platformStore(): ResponseStore | undefined {
  const storage = (globalThis as { caches?: { default?: ResponseStore } }).caches;
  return storage?.default;
}

/** One cache per app (keyed by an object the app owns), made on first use: `caches` exists only within a request in workerd. */
const caches = new WeakMap<object, ReturnType<typeof createResultCache>>();
function resultCacheOf(owner: object) {
  let cache = caches.get(owner);
  if (!cache) caches.set(owner, (cache = createResultCache({ store: platformStore() })));
  return cache;
}
