/**
 * Fetching an image URL on the caller's behalf without becoming a way into the network the worker runs in:
 * every hop (the URL and each redirect, followed here by hand, at most MAX_REDIRECTS) is checked against the URL
 * policy (address.ts) before it is requested; the whole fetch, body included, has one hard deadline; the body is
 * read up to the image limit and no further. Every refused or failed fetch answers the same generic
 * `fetch_failed` (a caller must not be able to map the network from the messages); the reason goes to the log
 * with the request id. Two things are said to the caller: a name that does not resolve (about the host they
 * typed) and the HTTP status of a server the policy allowed.
 */
import { ApiError } from '../errors';
import type { UrlPolicy } from './address';

/** How long fetching an image URL may take, redirects and body included. */
export const FETCH_TIMEOUT_MS = 10_000;
export const MAX_REDIRECTS = 3;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const GENERIC = `Could not fetch the image URL: it is not allowed, could not be reached, or did not answer within ${FETCH_TIMEOUT_MS / 1000} s. Send the image bytes instead, or see the request id in the worker's log.`;

/** The error every refused or failed fetch answers; `detail` is for the log only. */
export const fetchFailed = (detail: string) => new ApiError('fetch_failed', GENERIC, undefined, { logDetail: detail });

const clip = (s: string, n = 100) => (s.length > n ? `${s.slice(0, n)}...` : s);

/** Errors a runtime's fetch raises for a name with no address (undici: ENOTFOUND; workerd: "DNS lookup failed"). */
const isUnresolved = (err: unknown) => {
  const text = `${err instanceof Error ? `${err.message} ${String((err.cause as { code?: unknown } | undefined)?.code ?? '')}` : String(err)}`;
  return /ENOTFOUND|EAI_AGAIN|EAI_NODATA|EAI_NONAME|dns lookup|could not resolve|name not resolved|no such host/i.test(text);
};

export interface GuardOptions {
  policy: UrlPolicy;
  timeoutMs?: number;
}

/**
 * Requests `url` hop by hop within the policy and the deadline; resolves to the final 2xx response, whose body
 * the deadline still covers. Throws `fetch_failed` for everything else.
 */
export async function guardedFetch(url: URL, fetcher: typeof fetch, { policy, timeoutMs = FETCH_TIMEOUT_MS }: GuardOptions): Promise<Response> {
  const signal = AbortSignal.timeout(timeoutMs);
  let current = url;
  for (let hop = 0; ; hop++) {
    const refused = policy.refuse(current);
    if (refused) throw fetchFailed(`refused ${clip(current.href)}: ${refused}`);
    let res: Response;
    try {
      // Called unbound: workerd's fetch throws "Illegal invocation" when called as a method of another object.
      res = await fetcher.call(undefined, current, { headers: { accept: 'image/*' }, redirect: 'manual', signal });
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (isUnresolved(err)) {
        throw new ApiError('fetch_failed', `Could not fetch the image URL: could not resolve host ${clip(url.hostname)}.`, undefined, { logDetail: String(err) });
      }
      throw fetchFailed(`${clip(current.href)}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    }
    if (REDIRECTS.has(res.status)) {
      await res.body?.cancel().catch(() => {});
      const location = res.headers.get('location');
      if (!location || hop >= MAX_REDIRECTS) throw fetchFailed(`${clip(current.href)}: ${location ? 'too many redirects' : 'redirect without a location'}`);
      try {
        current = new URL(location, current);
      } catch {
        throw fetchFailed(`${clip(current.href)}: redirect to an invalid URL`);
      }
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new ApiError('fetch_failed', `Could not fetch the image URL: it answered HTTP ${res.status}.`);
    }
    return res;
  }
}

/**
 * Reads at most `limit` bytes of a stream; over it, stops reading and throws `overLimit()`. The rest is cancelled
 * (a fetched image: nothing more is downloaded), or handed to `afterLimit` (a request body is drained, within its
 * deadline, so that the connection stays usable). A stream that errors throws `broken(err)`.
 */
export async function readUpTo(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  overLimit: () => Error,
  broken: (err: unknown) => Error,
  { afterLimit }: { afterLimit?: (reader: ReadableStreamDefaultReader<Uint8Array>) => Promise<void> } = {},
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
      throw broken(err);
    }
    if (next.done) break;
    size += next.value.byteLength;
    if (size > limit) {
      if (afterLimit) await afterLimit(reader);
      else reader.cancel().catch(() => {});
      throw overLimit();
    }
    chunks.push(next.value);
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

/**
 * `fetcher` behind the policy and the deadline, as a fetch: what the app hands its routes for image URLs.
 * @example const imageFetch = guardFetch(fetch, { policy: createUrlPolicy({ httpsOnly: true }) });
 */
export function guardFetch(fetcher: typeof fetch, options: GuardOptions): typeof fetch {
  return (input) => guardedFetch(new URL(input instanceof Request ? input.url : String(input)), fetcher, options);
}

/** The bytes of a fetched image response, within `maxBytes`. */
export async function readFetchedImage(res: Response, maxBytes: number): Promise<Uint8Array> {
  const mib = (n: number) => `${Math.round((n / 1048576) * 10) / 10} MiB`;
  const tooLarge = () => new ApiError('payload_too_large', `The image at the URL is larger than ${mib(maxBytes)}.`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  return readUpTo(res.body, maxBytes, tooLarge, (err) => fetchFailed(`${clip(res.url || 'image URL')}: body: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`));
}
