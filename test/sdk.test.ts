/**
 * @cvkit/sdk against the real worker (wrangler dev / workerd from the global setup): every method, every image input
 * kind and how it travels, error classes from real error responses, API keys (a second worker with API_KEYS),
 * timeouts and aborts (a local server that hangs), and retries (a local server that answers 429/503/... first and
 * then passes the request on to the real worker). Detect and segment: sdk-vision.test.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  type ClassifyResponse,
  CVKit,
  CVKitError,
  ImageFileError,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
} from '@cvkit/sdk';
import { fromFile } from '@cvkit/sdk/node';
import { fixture, fixturesDir } from './support/fixtures';
import { serve } from './support/http';
import { startWorker, type WorkerServer } from './support/worker-server';

const baseURL = inject('workerUrl');

interface Recorded {
  url: string;
  method: string;
  headers: Headers;
  body: BodyInit | null | undefined;
  response?: Response;
}

/** A fetch that passes every call to the real fetch and keeps what was sent and received. */
function recordingFetch() {
  const calls: Recorded[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const call: Recorded = { url: String(input), method: init.method ?? 'GET', headers: new Headers(init.headers), body: init.body };
    calls.push(call);
    call.response = await globalThis.fetch(input, init);
    return call.response;
  };
  return { calls, fetch };
}

const top = (r: ClassifyResponse) => r.predictions[0]?.label;

/** Files the worker fetches by URL. */
let files: Awaited<ReturnType<typeof serve>>;
let fileHits = 0;
beforeAll(async () => {
  files = await serve((req, res) => {
    fileHits++;
    if (req.url === '/parrot.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(fixture('parrot.jpg'));
    res.writeHead(404).end('missing');
  });
});
afterAll(() => files.close());

describe('classify: every image input kind', () => {
  const bytes = fixture('hot_dog.jpg');

  it('an http URL string goes up as JSON and is fetched by the worker, not the client', async () => {
    const { calls, fetch } = recordingFetch();
    const cv = new CVKit({ baseURL, fetch });
    const before = fileHits;
    const result = await cv.classify(`${files.url}/parrot.jpg`, { top_k: 2 });
    expect(top(result)).toBe('macaw');
    expect(result.predictions).toHaveLength(2);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(calls[0]?.body as string)).toEqual({ image: `${files.url}/parrot.jpg`, top_k: 2 });
    expect(fileHits - before).toBe(1); // the worker's fetch
  });

  it('a URL object', async () => {
    const cv = new CVKit({ baseURL });
    expect(top(await cv.classify(new URL(`${files.url}/parrot.jpg`)))).toBe('macaw');
  });

  it('a data: URL goes up as JSON', async () => {
    const { calls, fetch } = recordingFetch();
    const cv = new CVKit({ baseURL, fetch });
    const dataUrl = `data:image/jpeg;base64,${Buffer.from(bytes).toString('base64')}`;
    expect(top(await cv.classify(dataUrl))).toBe('hotdog');
    expect(JSON.parse(calls[0]?.body as string)).toEqual({ image: dataUrl });
  });

  const rawInputs: Array<[string, () => unknown]> = [
    ['Uint8Array', () => bytes],
    ['Buffer (a view into a larger pool)', () => Buffer.concat([Buffer.alloc(13, 7), Buffer.from(bytes), Buffer.alloc(5)]).subarray(13, 13 + bytes.length)],
    ['ArrayBuffer', () => bytes.slice().buffer],
    ['DataView', () => new DataView(bytes.slice().buffer)],
    ['Blob without a type', () => new Blob([bytes])],
    ['File with a type', () => new File([bytes], 'hot_dog.jpg', { type: 'image/jpeg' })],
    ['ReadableStream from a Blob', () => new Blob([bytes]).stream()],
    [
      'ReadableStream of small chunks',
      () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.slice(i, i + 1000));
            controller.close();
          },
        }),
    ],
  ];

  it.each(rawInputs)('%s goes up as the raw body with the sniffed content type, options in the query', async (_, make) => {
    const { calls, fetch } = recordingFetch();
    const cv = new CVKit({ baseURL, fetch });
    const result = await cv.classify(make() as Uint8Array, { top_k: 3 });
    expect(top(result)).toBe('hotdog');
    expect(result.predictions).toHaveLength(3);
    const sent = calls[0] as Recorded;
    expect(sent.headers.get('content-type')).toBe('image/jpeg');
    expect(new URL(sent.url).searchParams.get('top_k')).toBe('3');
    const body = sent.body instanceof Blob ? new Uint8Array(await sent.body.arrayBuffer()) : (sent.body as Uint8Array);
    expect(typeof sent.body).not.toBe('string'); // never JSON, never an array of numbers
    expect(body.byteLength).toBe(bytes.byteLength);
    expect(Buffer.from(body).equals(Buffer.from(bytes))).toBe(true);
  });

  it('fromFile(path) from @cvkit/sdk/node: a File with the image type', async () => {
    const file = await fromFile(resolve(fixturesDir, 'bird.png'));
    expect(file).toBeInstanceOf(Blob);
    expect(file.name).toBe('bird.png');
    expect(file.type).toBe('image/png');
    const cv = new CVKit({ baseURL });
    expect(top(await cv.classify(file))).toBe('chickadee');
  });

  it('fromFile of a missing file or a folder: an ImageFileError (a CVKitError) naming the path, not a raw ENOENT', async () => {
    const missing = await fromFile(resolve(fixturesDir, 'no-such.jpg')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ImageFileError);
    expect(missing).toBeInstanceOf(CVKitError);
    expect(missing).toMatchObject({ code: 'ENOENT', path: resolve(fixturesDir, 'no-such.jpg'), name: 'ImageFileError' });
    expect((missing as Error).message).toBe(`Cannot read the image file '${resolve(fixturesDir, 'no-such.jpg')}': no such file (ENOENT).`);
    await expect(fromFile(fixturesDir)).rejects.toThrow(/it is a directory, not a file \(EISDIR\)/);
  });

  it('.withResponse() gives the answer with its HTTP response: headers and request id, from one request', async () => {
    const { calls, fetch } = recordingFetch();
    const cv = new CVKit({ baseURL, fetch });
    const { data, response, request_id } = await cv.classify(fixture('parrot.jpg'), { top_k: 1 }, { headers: { 'x-request-id': 'trace-42' } }).withResponse();
    expect(top(data)).toBe('macaw');
    expect(request_id).toBe('trace-42');
    expect(response.status).toBe(200);
    expect(calls).toHaveLength(1);
    // awaiting the promise and asking for the response share the one request
    const pending = cv.classify(fixture('bird.png'), { top_k: 1 });
    const [plain, withResponse] = await Promise.all([pending, pending.withResponse()]);
    expect(withResponse.data).toBe(plain);
    expect(calls).toHaveLength(2);
    // a failed call rejects withResponse() with the same error class
    await expect(cv.classify(fixture('bird.png'), { model: 'nope' }).withResponse()).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a model by id, and the timings and image size of the answer', async () => {
    const cv = new CVKit({ baseURL });
    const result = await cv.classify(fixture('parrot.jpg'), { model: 'mobilenet_v1_0.75_192_quant', top_k: 1 });
    expect(result).toMatchObject({ task: 'classify', model: { id: 'mobilenet_v1_0.75_192_quant', task: 'classify' }, image: { width: 512, height: 929 } });
    expect(result.predictions).toEqual([expect.objectContaining({ label: 'macaw', synset: expect.stringContaining('macaw') })]);
    expect(result.timings.total_ms).toBeGreaterThan(0);
  });

  it('refuses inputs it cannot send before any request, naming the fix', async () => {
    const { calls, fetch } = recordingFetch();
    const cv = new CVKit({ baseURL, fetch });
    await expect(cv.classify('./photo.jpg')).rejects.toThrow(/fromFile\(path\)/);
    await expect(cv.classify('aGVsbG8=')).rejects.toBeInstanceOf(CVKitError);
    await expect(cv.classify(new URL('file:///etc/passwd'))).rejects.toThrow(/http\(s\) URL or a data: URL/);
    await expect(cv.classify({} as Blob)).rejects.toThrow(/Unsupported image input/);
    const notAPI = await cv.classify('nope').catch((e: unknown) => e);
    expect(notAPI).toBeInstanceOf(CVKitError);
    expect(notAPI).not.toBeInstanceOf(APIError);
    expect(calls).toHaveLength(0);
  });
});

describe('models() and health()', () => {
  it('lists the served models with one default classifier', async () => {
    const { models } = await new CVKit({ baseURL }).models();
    const classifiers = models.filter((m) => m.task === 'classify');
    expect(classifiers.map((m) => m.id)).toEqual(expect.arrayContaining(['mobilenet_v2_1.0_224', 'mobilenet_v1_0.75_192_quant']));
    expect(classifiers.filter((m) => m.default)).toHaveLength(1);
    expect(classifiers[0]).toMatchObject({ tier: 'edge', labels: 1001, input: { width: expect.any(Number), height: expect.any(Number) } });
  });

  it('health', async () => {
    expect(await new CVKit({ baseURL }).health()).toEqual({ status: 'ok', version: expect.any(String), isolate: expect.any(String), gpu: { configured: false } });
  });
});

describe('errors from real error responses', () => {
  async function failure(promise: Promise<unknown>): Promise<APIError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(CVKitError);
    expect(error).toBeInstanceOf(Error);
    return error as APIError;
  }
  const jpeg = fixture('hot_dog.jpg');

  it('unknown model -> NotFoundError with code, message and the request id of the response', async () => {
    const { calls, fetch } = recordingFetch();
    const err = await failure(new CVKit({ baseURL, fetch }).classify(jpeg, { model: 'resnet9000' }));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ status: 404, code: 'model_not_found', name: 'NotFoundError' });
    expect(err.message).toMatch(/resnet9000.*mobilenet_v2/);
    expect(err.request_id).toMatch(/^[\w-]{8,}$/);
    expect(err.request_id).toBe(calls[0]?.response?.headers.get('x-request-id'));
    expect(err.headers?.get('content-type')).toMatch(/json/);
    expect(calls).toHaveLength(1); // never retried
  });

  it('the per-call x-request-id header comes back as request_id', async () => {
    const err = await failure(new CVKit({ baseURL }).classify(jpeg, { model: 'resnet9000' }, { headers: { 'x-request-id': 'sdk-trace-42' } }));
    expect(err.request_id).toBe('sdk-trace-42');
  });

  it('an option out of range -> BadRequestError with issues, not retried', async () => {
    const { calls, fetch } = recordingFetch();
    const err = await failure(new CVKit({ baseURL, fetch, maxRetries: 5 }).classify(jpeg, { top_k: 0 }));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_option' });
    expect(err.issues?.[0]?.path).toBe('top_k');
    expect(calls).toHaveLength(1);
  });

  it('an unknown option -> BadRequestError naming it', async () => {
    const err = await failure(new CVKit({ baseURL }).classify(jpeg, { topk: 3 } as never));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/topk/);
  });

  it('not an image -> UnsupportedMediaTypeError (415)', async () => {
    const err = await failure(new CVKit({ baseURL }).classify(new TextEncoder().encode('just some text, no image')));
    expect(err).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(err).toMatchObject({ status: 415, code: 'unsupported_media_type' });
  });

  it('a truncated JPEG -> UnprocessableEntityError (422 invalid_image)', async () => {
    const err = await failure(new CVKit({ baseURL }).classify(jpeg.subarray(0, jpeg.length / 2)));
    expect(err).toBeInstanceOf(UnprocessableEntityError);
    expect(err).toMatchObject({ status: 422, code: 'invalid_image' });
  });

  it('an image URL that answers 404 -> UnprocessableEntityError (422 fetch_failed)', async () => {
    const err = await failure(new CVKit({ baseURL }).classify(`${files.url}/missing.jpg`));
    expect(err).toBeInstanceOf(UnprocessableEntityError);
    expect(err.code).toBe('fetch_failed');
    expect(err.message).toMatch(/HTTP 404/);
  });

  it('an image over the limit -> PayloadTooLargeError (413)', async () => {
    const big = new Uint8Array(11 * 1024 * 1024);
    big.set(jpeg.subarray(0, 3)); // a JPEG signature, so it goes up as image/jpeg
    const err = await failure(new CVKit({ baseURL }).classify(big));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('a route the API does not have -> NotFoundError (e.g. a task not deployed)', async () => {
    const err = await failure(new CVKit({ baseURL: `${baseURL}/nothing-here` }).models());
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.code).toBe('not_found');
  });
});

describe('configuration', () => {
  const saved = { base: process.env.CVKIT_BASE_URL, key: process.env.CVKIT_API_KEY };
  afterEach(() => {
    for (const [name, value] of [['CVKIT_BASE_URL', saved.base], ['CVKIT_API_KEY', saved.key]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('baseURL falls back to CVKIT_BASE_URL, and is required', async () => {
    delete process.env.CVKIT_BASE_URL;
    expect(() => new CVKit()).toThrow(/CVKIT_BASE_URL/);
    expect(() => new CVKit({ baseURL: 'localhost:8787' })).toThrow(/absolute http\(s\) URL/);
    process.env.CVKIT_BASE_URL = baseURL;
    const cv = new CVKit();
    expect(cv.baseURL).toBe(baseURL);
    expect((await cv.health()).status).toBe('ok');
  });

  it('a base URL with a trailing slash', async () => {
    expect((await new CVKit({ baseURL: `${baseURL}/` }).models()).models.length).toBeGreaterThan(0);
  });

  it('calls fetch unbound (this === undefined), with defaultHeaders and per-call headers', async () => {
    const seen: unknown[] = [];
    const headers: Headers[] = [];
    const fetch = function (this: unknown, input: string | URL | Request, init?: RequestInit) {
      seen.push(this);
      headers.push(new Headers(init?.headers));
      return globalThis.fetch(input, init);
    };
    const cv = new CVKit({ baseURL, fetch, defaultHeaders: { 'x-app': 'tests', 'x-request-id': 'default-id' } });
    await cv.models({ headers: { 'x-request-id': 'per-call-id' } });
    expect(seen).toEqual([undefined]);
    expect(headers[0]?.get('x-app')).toBe('tests');
    expect(headers[0]?.get('x-request-id')).toBe('per-call-id');
    expect(headers[0]?.get('accept')).toBe('application/json');
  });
});

describe('API keys: a second worker with API_KEYS=k1', () => {
  let secured: WorkerServer;
  const savedKey = process.env.CVKIT_API_KEY;
  beforeAll(async () => {
    secured = await startWorker({ vars: { API_KEYS: 'k1' } });
  });
  afterAll(async () => {
    if (savedKey === undefined) delete process.env.CVKIT_API_KEY;
    else process.env.CVKIT_API_KEY = savedKey;
    await secured?.stop();
  });

  it('no key -> AuthenticationError (401) with a request id, not retried', async () => {
    delete process.env.CVKIT_API_KEY;
    const { calls, fetch } = recordingFetch();
    const err = await new CVKit({ baseURL: secured.url, fetch }).models().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized', message: expect.stringMatching(/Bearer/) });
    expect((err as APIError).request_id).toBeTruthy();
    expect(calls).toHaveLength(1);
  });

  it('a wrong key -> AuthenticationError', async () => {
    const err = await new CVKit({ baseURL: secured.url, apiKey: 'k2' }).classify(fixture('bird.png')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as APIError).message).toMatch(/not valid/);
  });

  it('the right key, as an option or from CVKIT_API_KEY, works', async () => {
    expect(top(await new CVKit({ baseURL: secured.url, apiKey: 'k1' }).classify(fixture('bird.png')))).toBe('chickadee');
    process.env.CVKIT_API_KEY = 'k1';
    expect((await new CVKit({ baseURL: secured.url }).models()).models.length).toBeGreaterThan(0);
  });
});

/**
 * A local server that answers each request with the next scripted misbehaviour, then passes requests on to the
 * real worker. `requests` counts what reached it.
 */
async function flakyServer(script: Array<(res: ServerResponse) => void>) {
  let requests = 0;
  const server = await serve(async (req: IncomingMessage, res: ServerResponse) => {
    const step = script[requests++];
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (step) return step(res);
    const upstream = await fetch(`${baseURL}${req.url}`, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? '' },
      body: req.method === 'GET' ? undefined : Buffer.concat(chunks),
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '', 'x-request-id': upstream.headers.get('x-request-id') ?? '' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  return { ...server, requests: () => requests };
}

const answer = (status: number, headers: Record<string, string> = {}, code = 'rate_limited') => (res: ServerResponse) =>
  res
    .writeHead(status, { 'content-type': 'application/json', 'x-request-id': `flaky-${status}`, ...headers })
    .end(JSON.stringify({ error: { code, message: `scripted ${status}`, request_id: `flaky-${status}`, retryable: status >= 429 } }));

/** A client whose retry waits are recorded instead of slept (random() = 0: no jitter). */
function client(url: string, options: { maxRetries?: number; random?: () => number } = {}) {
  const sleeps: number[] = [];
  const cv = new CVKit({ baseURL: url, sleep: async (ms) => void sleeps.push(ms), random: () => 0, ...options });
  return { cv, sleeps };
}

describe('retries (a misbehaving server in front of the real worker)', () => {
  const bird = fixture('bird.png');

  it('429 with Retry-After, then the answer: retried after the requested wait', async () => {
    const flaky = await flakyServer([answer(429, { 'retry-after': '1' })]);
    const { cv, sleeps } = client(flaky.url);
    expect(top(await cv.classify(bird))).toBe('chickadee');
    expect(flaky.requests()).toBe(2);
    expect(sleeps).toEqual([1000]);
    await flaky.close();
  });

  it('retry-after-ms wins over Retry-After, and the real timer is used by default', async () => {
    const flaky = await flakyServer([answer(429, { 'retry-after-ms': '30', 'retry-after': '50' })]);
    const cv = new CVKit({ baseURL: flaky.url });
    expect(top(await cv.classify(bird))).toBe('chickadee');
    expect(flaky.requests()).toBe(2);
    await flaky.close();
  });

  it('503, then the answer: retried after the backoff (500 ms, less jitter)', async () => {
    const flaky = await flakyServer([answer(503, {}, 'upstream_unavailable')]);
    const { cv, sleeps } = client(flaky.url, { random: () => 1 });
    expect(top(await cv.classify(bird))).toBe('chickadee');
    expect(flaky.requests()).toBe(2);
    expect(sleeps).toEqual([375]); // 500 * (1 - 0.25)
    await flaky.close();
  });

  it('5xx every time: maxRetries + 1 attempts with growing backoff, then InternalServerError', async () => {
    const flaky = await flakyServer([answer(500, {}, 'internal_error'), answer(502, {}, 'upstream_error'), answer(504, {}, 'timeout'), answer(500)]);
    const { cv, sleeps } = client(flaky.url, { maxRetries: 2 });
    const err = await cv.classify(bird).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err).toMatchObject({ status: 504, code: 'timeout', request_id: 'flaky-504' });
    expect(flaky.requests()).toBe(3);
    expect(sleeps).toEqual([500, 1000]);
    await flaky.close();
  });

  it('429 every time: RateLimitError after the retries; maxRetries per call overrides the client', async () => {
    const flaky = await flakyServer([answer(429), answer(429), answer(429), answer(429)]);
    const { cv, sleeps } = client(flaky.url, { maxRetries: 3 });
    const err = await cv.classify(bird, undefined, { maxRetries: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(flaky.requests()).toBe(2);
    expect(sleeps).toEqual([500]);
    await flaky.close();
  });

  it.each([408, 409, 502, 504])('%i is retried', async (status) => {
    const flaky = await flakyServer([answer(status, {}, 'internal_error')]);
    const { cv } = client(flaky.url);
    expect(top(await cv.classify(bird))).toBe('chickadee');
    expect(flaky.requests()).toBe(2);
    await flaky.close();
  });

  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [404, NotFoundError],
    [413, PayloadTooLargeError],
    [415, UnsupportedMediaTypeError],
    [422, UnprocessableEntityError],
  ])('%i is never retried', async (status, Class) => {
    const flaky = await flakyServer([answer(status, {}, 'invalid_request'), answer(status)]);
    const { cv, sleeps } = client(flaky.url, { maxRetries: 3 });
    const err = await cv.classify(bird).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Class);
    expect((err as APIError).status).toBe(status);
    expect(flaky.requests()).toBe(1);
    expect(sleeps).toEqual([]);
    await flaky.close();
  });

  it('x-should-retry: false stops a retry; a non-JSON error body still gives the right class', async () => {
    const flaky = await flakyServer([
      (res) => res.writeHead(503, { 'x-should-retry': 'false', 'content-type': 'text/html' }).end('<h1>Service Unavailable</h1>'),
    ]);
    const { cv } = client(flaky.url);
    const err = await cv.classify(bird).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err).toMatchObject({ status: 503, code: 'http_503', message: expect.stringContaining('Service Unavailable') });
    expect(flaky.requests()).toBe(1);
    await flaky.close();
  });

  it('a connection that is refused -> APIConnectionError after the retries', async () => {
    const gone = await serve(() => {});
    const url = gone.url;
    await gone.close();
    const { cv, sleeps } = client(url, { maxRetries: 2 });
    const err = await cv.models().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect(err).toMatchObject({ status: undefined, code: 'connection_error', message: expect.stringMatching(/ECONNREFUSED/) });
    expect(sleeps).toEqual([500, 1000]);
  });
});

describe('timeouts and aborts (a server that hangs)', () => {
  let hanging: Awaited<ReturnType<typeof serve>>;
  let requests = 0;
  let received: () => void = () => {};
  beforeAll(async () => {
    hanging = await serve((req, res) => {
      requests++;
      received();
      if (req.url?.startsWith('/v1/models')) return; // never answers
      // /health: headers, then a body that never ends
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":');
    });
  });
  afterAll(() => hanging.close());
  const nextRequest = () => new Promise<void>((ok) => (received = ok));

  it('no answer within timeout -> APIConnectionTimeoutError', async () => {
    requests = 0;
    const err = await new CVKit({ baseURL: hanging.url, timeout: 300, maxRetries: 0 }).models().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionTimeoutError);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).toMatchObject({ code: 'connection_timeout', message: expect.stringMatching(/timed out after 300 ms/) });
    expect(requests).toBe(1);
  });

  it('timeouts are retried; per-call timeout overrides the client', async () => {
    requests = 0;
    const { cv, sleeps } = client(hanging.url, { maxRetries: 1 });
    const err = await cv.models({ timeout: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionTimeoutError);
    expect(requests).toBe(2);
    expect(sleeps).toEqual([500]);
  });

  it('the timeout covers the answer body too', async () => {
    const err = await new CVKit({ baseURL: hanging.url, timeout: 300, maxRetries: 0 }).health().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('aborting in flight -> APIUserAbortError, not retried', async () => {
    requests = 0;
    const controller = new AbortController();
    const arrived = nextRequest();
    const pending = new CVKit({ baseURL: hanging.url, maxRetries: 3 }).models({ signal: controller.signal }).catch((e: unknown) => e);
    await arrived;
    controller.abort();
    const err = await pending;
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(err).toMatchObject({ status: undefined, code: 'user_abort' });
    expect(requests).toBe(1);
  });

  it('an already aborted signal sends nothing', async () => {
    const { calls, fetch } = recordingFetch();
    const err = await new CVKit({ baseURL, fetch }).classify(fixture('bird.png'), undefined, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(calls).toHaveLength(0);
  });

  it('aborting during a retry wait ends the wait, and the sleep is told to stop', async () => {
    const flaky = await flakyServer([answer(503), answer(503)]);
    const controller = new AbortController();
    let sleeping: (signal: AbortSignal | undefined) => void = () => {};
    const asleep = new Promise<AbortSignal | undefined>((ok) => (sleeping = ok));
    // a wait that never ends by itself: only the abort can end this call
    const cv = new CVKit({ baseURL: flaky.url, sleep: (_ms, signal) => (sleeping(signal), new Promise(() => {})) });
    const pending = cv.models({ signal: controller.signal }).catch((e: unknown) => e);
    const signal = await asleep; // the first attempt failed and the client is now waiting to retry
    controller.abort();
    expect(await pending).toBeInstanceOf(APIUserAbortError);
    expect(signal?.aborted).toBe(true);
    expect(flaky.requests()).toBe(1);
    await flaky.close();
  });

  it('refuses timeouts and retry counts that would misbehave', () => {
    for (const timeout of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      expect(() => new CVKit({ baseURL, timeout })).toThrow(/timeout must be/);
    }
    for (const maxRetries of [-1, 1.5, Number.NaN]) expect(() => new CVKit({ baseURL, maxRetries })).toThrow(/maxRetries must be/);
  });
});
