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
 * A body refused by its declared length (413) is read and dropped, before the answer while it keeps arriving and
 * after it otherwise (dropBody), so that the client reads its 413 instead of a reset.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';
import { MAX_BODY_BYTES, checkDeclaredLength, drain, readLimited } from './input';

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

/** Most bytes of a refused body read and dropped. */
const DRAIN_BYTES = 64 * 1024 * 1024;
/** A refused body that sends nothing for this long gets its answer without waiting for the rest. */
const DRAIN_IDLE_MS = 1_000;

/**
 * Reads and drops a body refused by its declared length. workerd closes a connection whose request body was not
 * read to the end when the answer went out, and a client still sending then reads a reset instead of the 413
 * (measured against workerd without wrangler's proxy). So the answer waits while the body keeps arriving (until it
 * ends, DRAIN_BYTES, or the body deadline); a client that stopped sending (curl waiting for `100 Continue`, a stalled
 * one) gets its answer after DRAIN_IDLE_MS, and whatever it sends later is dropped after the answer (waitUntil).
 */
async function dropBody(body: ReadableStream<Uint8Array>, timeoutMs: number, keepAlive: (work: Promise<void>) => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let idle: () => void = () => {};
  const quiet = new Promise<void>((ok) => (idle = ok));
  const restart = () => {
    clearTimeout(timer);
    timer = setTimeout(idle, DRAIN_IDLE_MS);
  };
  restart();
  const drained = drain(withDeadline(body, timeoutMs).getReader(), DRAIN_BYTES, restart);
  await Promise.race([drained, quiet]);
  clearTimeout(timer);
  keepAlive(drained);
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
        await dropBody(raw.body, timeoutMs, (work) => {
          try {
            c.executionCtx.waitUntil(work);
          } catch {
            // no execution context (Node): it drains on its own
          }
        });
      }
    }
  };
}
