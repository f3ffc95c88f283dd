/**
 * Issue 19 against the real worker in workerd (wrangler dev), with 2 working slots and 4 places in the queue: slow
 * uploads hold no working slot (their bodies arrive before admission, within their own deadline), and under load
 * every answer is a 200 or a JSON 503 `overloaded` with Retry-After, nothing hangs, and the SDK's retry gets through.
 * Answers and counts only: nothing here is timed.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CVKit } from '@cvkit/sdk';
import { ErrorBody } from '@cvkit/sdk/contract';
import { fixture } from './support/fixtures';
import { type LoopbackServer, startLoopbackServer } from './support/loopback-server';
import { startWorker, type WorkerServer } from './support/worker-server';

let worker: WorkerServer;
/** Serves bird.png for `/held` only once the current hold is released; counts the requests it saw. */
let images: LoopbackServer;
let release: () => void = () => {};
let released = Promise.resolve();

beforeAll(async () => {
  images = await startLoopbackServer(async (_req, res) => {
    await released;
    res.writeHead(200, { 'content-type': 'image/png' }).end(fixture('bird.png'));
  });
  worker = await startWorker({ vars: { MAX_IN_FLIGHT: '2', MAX_QUEUED: '4', BODY_TIMEOUT_MS: '8000', IMAGE_URL_ALLOW: '127.0.0.1' } });
}, 180_000);
afterAll(async () => {
  release();
  await images?.close();
  await worker?.stop();
});

const classify = () => fetch(`${worker.url}/v1/classify?top_k=1`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: fixture('bird.png') });

/** A request whose image URL does not answer until release(): it holds a working slot (its body has arrived). */
function holdSlot() {
  return fetch(`${worker.url}/v1/classify?top_k=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image: `${images.url}/held` }) });
}

/** Sends a request's head declaring `declared` body bytes, then a byte every `everyMs`; resolves with the raw answer. */
function slowUpload(declared: number, everyMs: number): { socket: Socket; answer: Promise<string> } {
  const { port } = new URL(worker.url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.write([`POST /v1/classify HTTP/1.1`, `host: 127.0.0.1:${port}`, 'content-type: image/png', `content-length: ${declared}`, '', ''].join('\r\n'));
  const trickle = setInterval(() => socket.writable && socket.write(Buffer.from([0x89])), everyMs);
  let text = '';
  const answer = new Promise<string>((ok) => {
    const done = () => (clearInterval(trickle), ok(text));
    socket.on('data', (d) => {
      text += d;
      if (/\r\n\r\n[\s\S]*\}/.test(text)) done();
    });
    socket.on('close', done);
    socket.on('error', done);
  });
  return { socket, answer };
}

/** Status, error code and Retry-After of an answer that must be a 200 or a JSON error. */
async function outcome(res: Response) {
  const text = await res.text();
  if (res.status === 200) return { status: 200 };
  return { status: res.status, code: ErrorBody.parse(JSON.parse(text)).error.code, retryAfter: res.headers.get('retry-after') };
}

describe('slow uploads', () => {
  it('four uploads at a few bytes a second hold no working slot: a whole request gets 200, the slow ones 408 at their deadline', async () => {
    const slow = Array.from({ length: 4 }, () => slowUpload(100_000, 300));
    try {
      // 2 slots and 4 places in the queue: before issue 19 the slow four took all the slots and places
      const res = await classify();
      expect(await outcome(res)).toEqual({ status: 200 });
      const answers = await Promise.all(slow.map((s) => s.answer));
      for (const text of answers) {
        expect(text).toMatch(/^HTTP\/1\.1 408/);
        expect(text).toMatch(/"code":"request_timeout"/);
      }
    } finally {
      for (const s of slow) s.socket.destroy();
    }
  }, 60_000);
});

describe('overload', () => {
  it('40 concurrent classify requests: each a 200 or a JSON 503 overloaded with Retry-After, and the worker serves on', async () => {
    const outcomes = await Promise.all(Array.from({ length: 40 }, async () => outcome(await classify())));
    const ok = outcomes.filter((o) => o.status === 200);
    const refused = outcomes.filter((o) => o.status === 503 && o.code === 'overloaded' && /^\d+$/.test(o.retryAfter ?? '') && Number(o.retryAfter) >= 1);
    expect(ok.length + refused.length, JSON.stringify(outcomes)).toBe(40);
    // at least the first to arrive is served; 2 slots and 4 places cannot take all 40 at once
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(await outcome(await classify())).toEqual({ status: 200 });
    expect((await fetch(`${worker.url}/health`)).status).toBe(200);
  }, 120_000);

  /** Two requests in both working slots, until release(); resolves once both are in them. */
  async function holdBothSlots() {
    released = new Promise<void>((ok) => (release = ok));
    const seen = images.requests.length;
    const holders = [holdSlot(), holdSlot()];
    while (images.requests.length < seen + 2) await new Promise((ok) => setTimeout(ok, 20));
    return holders;
  }

  it('while both slots are held, every request is refused 503 overloaded: at once, or when its bounded wait ends', async () => {
    const holders = await holdBothSlots();
    try {
      const outcomes = await Promise.all(Array.from({ length: 10 }, async () => outcome(await classify())));
      // none was served while the slots were held (the image server answers only after release)
      expect(outcomes.every((o) => o.status === 503 && o.code === 'overloaded' && Number(o.retryAfter) >= 1), JSON.stringify(outcomes)).toBe(true);
    } finally {
      release();
    }
    for (const res of await Promise.all(holders)) expect(await outcome(res)).toEqual({ status: 200 });
  }, 120_000);

  it('the SDK retries a 503 overloaded after Retry-After and then succeeds', async () => {
    const holders = await holdBothSlots();
    const statuses: number[] = [];
    try {
      const cv = new CVKit({
        baseURL: worker.url,
        maxRetries: 10,
        fetch: async (input, init) => {
          const res = await fetch(input, init);
          statuses.push(res.status);
          if (res.status === 503) release(); // the slots come free: the retry gets through
          return res;
        },
      });
      const result = await cv.classify(fixture('bird.png'), { top_k: 1 });
      expect(result.predictions[0]?.label).toBeTruthy();
    } finally {
      release();
    }
    expect(statuses[0]).toBe(503);
    expect(statuses.at(-1)).toBe(200);
    for (const res of await Promise.all(holders)) expect(await outcome(res)).toEqual({ status: 200 });
  }, 120_000);
});
