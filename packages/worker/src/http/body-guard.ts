/**
 * Request bodies arrive in full before a request asks for anything else: bodyGuard reads the (size-limited) body
 * into memory, within its own deadline, and only then hands the request on to admission control. A client
 * trickling a byte a second holds its connection and the bytes it sent, never a working slot, and a request's body
 * deadline never runs while it waits for someone else's work.
 *
 * - 413 from `Content-Length` before anything is read; 413 as soon as an undeclared body passes the limit.
 * - 408 `request_timeout` when the body has not arrived `timeoutMs` after the request did.
 * - 503 `overloaded` when the bodies held in this isolate (received, or waiting for their turn) would pass
 *   `maxHeldBytes`: queued requests now hold their bodies, and this bounds that memory whatever the client count.
 * A body left unread (the 413 from the header) is read and dropped after the answer has gone out (waitUntil),
 * within the deadline and DRAIN_BYTES, so the connection stays usable (wrangler dev's proxy answers the next
 * request on it "503 Your worker restarted mid-request" otherwise).
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';
import { MAX_BODY_BYTES, checkDeclaredLength, readLimited } from './input';

/** How long a request body may take to arrive, by default. */
export const BODY_TIMEOUT_MS = 30_000;
/** Bytes of request bodies this isolate holds at once, by default. */
export const MAX_HELD_BYTES = 48 * 1024 * 1024;

/**
 * `body` that errors with a TimeoutError if it has not ended `ms` after this call, and with the error `take`
 * returns when `take` refuses a chunk's bytes.
 */
export function withDeadline(body: ReadableStream<Uint8Array>, ms: number, take: (bytes: number) => Error | undefined = () => undefined): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setTimeout(() => {
        timedOut = true;
        controller.error(new DOMException(`the body did not arrive within ${ms} ms`, 'TimeoutError'));
        reader.cancel().catch(() => {});
      }, ms);
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (timedOut) return;
        if (done) {
          clearTimeout(timer);
          controller.close();
          return;
        }
        const refused = take(value.byteLength);
        if (refused) {
          clearTimeout(timer);
          controller.error(refused);
          reader.cancel().catch(() => {});
        } else {
          controller.enqueue(value);
        }
      } catch (err) {
        clearTimeout(timer);
        if (!timedOut) controller.error(err);
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** Most bytes read and dropped after the answer. */
const DRAIN_BYTES = 64 * 1024 * 1024;

async function drain(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  try {
    for (let drained = 0; drained < DRAIN_BYTES; ) {
      const { done, value } = await reader.read();
      if (done) return;
      drained += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // the deadline, or the client went away: nothing left to keep usable
  }
}

export interface BodyGuardOptions {
  /** How long a body may take to arrive, ms (default BODY_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Bytes of bodies held at once (default MAX_HELD_BYTES). */
  maxHeldBytes?: number;
}

export function bodyGuard({ timeoutMs = BODY_TIMEOUT_MS, maxHeldBytes = MAX_HELD_BYTES }: BodyGuardOptions = {}): MiddlewareHandler {
  let held = 0;
  return async (c, next) => {
    if (c.req.method !== 'POST' || !c.req.raw.body) return next();
    const raw = c.req.raw;
    let mine = 0;
    const take = (bytes: number) => {
      if (held + bytes > maxHeldBytes) {
        return new ApiError('overloaded', 'The worker is receiving too many request bodies at once; retry after 1 s.', undefined, { retryAfterSeconds: 1 });
      }
      held += bytes;
      mine += bytes;
      return undefined;
    };
    try {
      checkDeclaredLength(raw);
      const body = await readLimited(withDeadline(raw.body as ReadableStream<Uint8Array>, timeoutMs, take), MAX_BODY_BYTES, 'The request body');
      c.req.raw = new Request(raw, { body: body as Uint8Array<ArrayBuffer> });
      await next();
    } finally {
      held -= mine;
      // Only a body refused by its declared length is still unread here.
      if (!raw.bodyUsed && raw.body && !raw.body.locked) {
        const drained = drain(raw.body);
        try {
          c.executionCtx.waitUntil(drained);
        } catch {
          // no execution context (Node): it drains on its own
        }
      }
    }
  };
}
