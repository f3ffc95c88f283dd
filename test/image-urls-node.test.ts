/**
 * Image URLs in Node (createNodeApp), where the worker can reach the host's network: names are resolved and every
 * answer checked before connecting (and the socket goes to the checked address), redirects are checked hop by hop,
 * a fetched body is read only up to the image limit, and admission control holds deterministically.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeApp } from '../packages/worker/src/node';
import { fixture, modelDir } from './support/fixtures';
import { serve } from './support/http';

let files: Awaited<ReturnType<typeof serve>>;
const hits: string[] = [];
let streamed = 0;
let streamClosed: Promise<void> = Promise.resolve();
/** `/held` answers bird.png once the test calls releaseHeld(); heldRequests counts its requests. */
let heldRequests = 0;
let releaseHeld: () => void = () => {};
const held = new Promise<void>((ok) => (releaseHeld = ok));

beforeAll(async () => {
  files = await serve((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/bird.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(fixture('bird.png'));
    if (req.url === '/held') {
      heldRequests++;
      return void held.then(() => res.writeHead(200, { 'content-type': 'image/png' }).end(fixture('bird.png')));
    }
    if (req.url?.startsWith('/to?')) return void res.writeHead(302, { location: decodeURIComponent(req.url.slice(4)) }).end();
    if (req.url === '/endless') {
      // 64 MiB without a Content-Length, as fast as the reader takes it
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      streamClosed = new Promise((ok) => res.on('close', () => ok()));
      const chunk = Buffer.alloc(1024 * 1024, 0xff);
      const pump = () => {
        while (streamed < 64 * 1024 * 1024 && !res.destroyed) {
          streamed += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    res.writeHead(404).end();
  });
});
afterAll(() => files.close());

const classify = (app: ReturnType<typeof createNodeApp>, image: string) =>
  app.request('/v1/classify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image, top_k: 1 }) });
const codeOf = async (res: Response) => ((await res.json()) as { error?: { code: string; message: string } }).error;

describe('createNodeApp image URLs', () => {
  it('refuses a public-looking name that resolves to loopback, without connecting', async () => {
    const app = createNodeApp({ modelDir, resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    hits.length = 0;
    const res = await classify(app, `http://images.example.com:${new URL(files.url).port}/bird.png`);
    expect(res.status).toBe(422);
    expect((await codeOf(res))?.code).toBe('fetch_failed');
    expect(hits).toEqual([]);
  });

  it('connects to the address it checked: the same name is fetched once the operator allows that address', async () => {
    const app = createNodeApp({ modelDir, imageUrls: { allow: ['images.example.com', '127.0.0.1'] }, resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    hits.length = 0;
    const res = await classify(app, `http://images.example.com:${new URL(files.url).port}/bird.png`);
    expect(res.status).toBe(200);
    expect(hits).toEqual(['/bird.png']);
  });

  it('a name that does not resolve says so, about the host the caller typed', async () => {
    const app = createNodeApp({ modelDir, resolve: async () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND nope.example.com'), { code: 'ENOTFOUND' })) });
    const error = await codeOf(await classify(app, 'https://nope.example.com/a.jpg'));
    expect(error).toMatchObject({ code: 'fetch_failed', message: expect.stringMatching(/could not resolve host nope\.example\.com/) });
  });

  it('checks every redirect: an allowed server redirecting to localhost or another address is refused', async () => {
    const app = createNodeApp({ modelDir, imageUrls: { allow: ['127.0.0.1'] } });
    const port = new URL(files.url).port;
    for (const target of [`http://localhost:${port}/bird.png`, `http://[::1]:${port}/bird.png`, 'http://169.254.169.254/latest/meta-data/']) {
      hits.length = 0;
      const res = await classify(app, `${files.url}/to?${encodeURIComponent(target)}`);
      expect((await codeOf(res))?.code, target).toBe('fetch_failed');
      expect(hits.filter((h) => h === '/bird.png'), target).toEqual([]);
    }
    // an allowed redirect is followed
    expect((await classify(app, `${files.url}/to?${encodeURIComponent(`${files.url}/bird.png`)}`)).status).toBe(200);
  });

  it('stops reading a fetched body at the 10 MiB limit instead of pulling all 64 MiB', async () => {
    const app = createNodeApp({ modelDir, imageUrls: { allow: ['127.0.0.1'] } });
    streamed = 0;
    const res = await classify(app, `${files.url}/endless`);
    expect(res.status).toBe(413);
    await streamClosed; // the connection was closed by the reader
    expect(streamed).toBeLessThan(40 * 1024 * 1024);
  });

  it('https only refuses plain http', async () => {
    const app = createNodeApp({ modelDir, imageUrls: { allow: ['127.0.0.1'], httpsOnly: true } });
    hits.length = 0;
    expect((await codeOf(await classify(app, `${files.url}/bird.png`)))?.code).toBe('fetch_failed');
    expect(hits).toEqual([]);
  });
});

describe('createNodeApp admission control, held deterministically', () => {
  it('1 in flight, 1 waiting, the third is 503 overloaded; a body still arriving holds no slot', async () => {
    const app = createNodeApp({ modelDir, imageUrls: { allow: ['127.0.0.1'] }, admission: { maxInFlight: 1, maxQueued: 1 } });
    const request = (body: BodyInit, type = 'image/png') => app.request('/v1/classify', { method: 'POST', headers: { 'content-type': type }, body, duplex: 'half' } as RequestInit);
    // a body that never comes, sent first: it waits for its body, not for a slot
    let breakOff: () => void = () => {};
    const stalled = request(new ReadableStream({ start: (c) => void (breakOff = () => c.error(new Error('the client went away'))) }));
    // the first holds the slot while its image URL has not answered (its body has arrived: it was admitted)
    heldRequests = 0;
    const first = request(JSON.stringify({ image: `${files.url}/held` }), 'application/json');
    while (heldRequests === 0) await new Promise((ok) => setTimeout(ok, 5));
    const second = request(fixture('bird.png'));
    const third = await request(fixture('bird.png'));
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect((await codeOf(third))?.code).toBe('overloaded');
    releaseHeld();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    breakOff();
    expect((await codeOf(await stalled))?.code).toBe('invalid_request');
  });
});
