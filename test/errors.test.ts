/**
 * Bad input against the real worker in workerd: every case answers a clear 4xx in the documented error shape,
 * and the worker keeps serving (a good request right after each one succeeds).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ErrorBody, ErrorStatus } from '@cvkit/sdk/contract';
import { fixture } from './support/fixtures';
import { postImage, postJson, serve } from './support/http';

const base = inject('workerUrl');
const url = `${base}/v1/classify`;

let files: Awaited<ReturnType<typeof serve>>;
let isolate = '';
const currentIsolate = async () => ((await (await fetch(`${base}/health`)).json()) as { isolate: string }).isolate;
beforeAll(async () => {
  isolate = await currentIsolate();
  files = await serve((req, res) => {
    if (req.url === '/hang') return; // never answers
    if (req.url === '/broken') {
      // declares 100 kB, sends 10, then hangs up
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '100000' });
      res.write(Buffer.alloc(10_000, 0xff));
      setTimeout(() => res.destroy(), 50);
      return;
    }
    if (req.url === '/text') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('not an image');
    if (req.url === '/huge') return void res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(50 * 1024 * 1024) }).end();
    res.writeHead(404).end();
  });
});
afterAll(() => files.close());

async function expectError(res: Response, status: number, code: string, message?: RegExp) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = ErrorBody.parse(JSON.parse(text));
  expect(body.error.code).toBe(code);
  expect(ErrorStatus[body.error.code]).toBe(status);
  expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
  if (message) expect(body.error.message).toMatch(message);
  // the worker still serves
  const ok = await postImage(url, fixture('bird.png'));
  expect(ok.status).toBe(200);
  return body;
}

const jpeg = fixture('hot_dog.jpg');

describe('bad requests get 4xx in the error shape', () => {
  it('malformed JSON -> 400 invalid_json', async () => {
    await expectError(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"image": ' }), 400, 'invalid_json');
  });
  it('JSON without image -> 400', async () => {
    await expectError(await postJson(url, { top_k: 3 }), 400, 'invalid_request', /image/);
  });
  it('an option out of range -> 400 invalid_option naming it', async () => {
    const body = await expectError(await postImage(`${url}?top_k=0`, jpeg, 'image/jpeg'), 400, 'invalid_option', /top_k/);
    expect(body.error.issues?.[0]?.path).toBe('top_k');
  });
  it('a non-numeric option -> 400', async () => {
    await expectError(await postJson(url, { image: 'aGk=', top_k: 'ten' }), 400, 'invalid_option', /top_k/);
  });
  it('an unknown option -> 400 naming it, with the option it is closest to', async () => {
    await expectError(await postImage(`${url}?topk=3`, jpeg, 'image/jpeg'), 400, 'invalid_option', /topk \(did you mean `top_k`\?\)/);
  });
  it('unknown model -> 404 model_not_found listing the available ones', async () => {
    await expectError(await postImage(`${url}?model=resnet9000`, jpeg, 'image/jpeg'), 404, 'model_not_found', /mobilenet_v2/);
  });
  it('not an image -> 415', async () => {
    await expectError(await postImage(url, new TextEncoder().encode('hello, I am text'), 'image/png'), 415, 'unsupported_media_type');
  });
  it('AVIF -> 415 naming the format', async () => {
    const avif = new Uint8Array([0, 0, 0, 0x1c, ...new TextEncoder().encode('ftypavif'), ...new Uint8Array(64)]);
    await expectError(await postImage(url, avif, 'image/avif'), 415, 'unsupported_media_type', /AVIF/);
  });
  it('a truncated JPEG -> 422 invalid_image', async () => {
    await expectError(await postImage(url, jpeg.subarray(0, jpeg.length / 2), 'image/jpeg'), 422, 'invalid_image', /truncated/);
  });
  it('a JPEG with garbage scan data -> 422 or decodes, never 500', async () => {
    const broken = jpeg.slice();
    broken.fill(0xff, 2000, 6000);
    const res = await postImage(url, broken, 'image/jpeg');
    expect([200, 422]).toContain(res.status);
    expect((await postImage(url, fixture('bird.png'))).status).toBe(200);
  });
  it('an empty body -> 400', async () => {
    await expectError(await postImage(url, new Uint8Array(0), 'image/jpeg'), 400, 'invalid_request');
  });
  it('a wrong content type -> 415', async () => {
    await expectError(await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }), 415, 'unsupported_media_type');
  });
  it('a body over the limit -> 413', async () => {
    await expectError(await postImage(url, new Uint8Array(11 * 1024 * 1024), 'image/jpeg'), 413, 'payload_too_large');
  });
  it('an image over the pixel limit -> 422 image_too_large', async () => {
    // a PNG header claiming 20000x20000 (the check happens before decoding)
    const png = fixture('cat.png').slice();
    new DataView(png.buffer).setUint32(16, 20000);
    new DataView(png.buffer).setUint32(20, 20000);
    await expectError(await postImage(url, png, 'image/png'), 422, 'image_too_large', /megapixels/);
  });
  it('invalid base64 -> 400', async () => {
    await expectError(await postJson(url, { image: 'not base64 !!!' }), 400, 'invalid_request', /base64/);
  });
  it('an unsupported URL scheme -> 400', async () => {
    await expectError(await postJson(url, { image: 'file:///etc/passwd' }), 400, 'invalid_request', /scheme/);
  });
  it('a URL that answers 404 -> 422 fetch_failed with the reason', async () => {
    await expectError(await postJson(url, { image: `${files.url}/missing.jpg` }), 422, 'fetch_failed', /HTTP 404/);
  });
  it('a URL that cannot be reached -> 422 fetch_failed', async () => {
    await expectError(await postJson(url, { image: 'http://127.0.0.1:9/x.jpg' }), 422, 'fetch_failed');
  });
  it('a URL that is not an image -> 415', async () => {
    await expectError(await postJson(url, { image: `${files.url}/text` }), 415, 'unsupported_media_type');
  });
  it('a URL declaring a huge body -> 413', async () => {
    await expectError(await postJson(url, { image: `${files.url}/huge` }), 413, 'payload_too_large');
  });
  it('a URL that never answers -> 422 after the fetch timeout', async () => {
    await expectError(await postJson(url, { image: `${files.url}/hang` }), 422, 'fetch_failed', /did not answer within 10 s/);
  }, 30_000);
  it('multipart without an image field -> 400', async () => {
    const form = new FormData();
    form.set('top_k', '3');
    await expectError(await fetch(url, { method: 'POST', body: form }), 400, 'invalid_request', /image/);
  });
  it('wrong method -> 405 with Allow', async () => {
    const res = await fetch(url);
    expect(res.headers.get('allow')).toBe('POST');
    await expectError(res, 405, 'method_not_allowed');
  });
  it('unknown route -> 404', async () => {
    await expectError(await fetch(`${base}/v2/everything`), 404, 'not_found');
  });
  it('base64 of an impossible length -> 400, not a 500', async () => {
    await expectError(await postJson(url, { image: 'AAAAA' }), 400, 'invalid_request', /base64/);
    await expectError(await postJson(url, { image: 'data:image/png;BASE64,A' }), 400, 'invalid_request', /base64/);
  });
  it('an image URL whose body breaks off -> 422 fetch_failed', async () => {
    // the same generic message as every failed fetch (the details are in the worker's log)
    await expectError(await postJson(url, { image: `${files.url}/broken` }), 422, 'fetch_failed', /could not be reached/);
  });
  it('multipart with two image fields is a batch of two (it used to be a 400)', async () => {
    const form = new FormData();
    form.append('image', new Blob([fixture('bird.png')], { type: 'image/png' }), 'a.png');
    form.append('image', new Blob([fixture('bird.png')], { type: 'image/png' }), 'b.png');
    const res = await fetch(url, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: unknown[] }).results).toHaveLength(2);
  });
  it('a percent-encoded data: URL of binary bytes is decoded as bytes', async () => {
    const encoded = Array.from(fixture('bird.png'), (b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    const res = await postJson(url, { image: `data:image/png,${encoded}`, top_k: 1 });
    expect(res.status).toBe(200);
  });
});

describe('after all the bad input above', () => {
  it('the same isolate is still serving: nothing crashed it', async () => {
    expect(await currentIsolate()).toBe(isolate);
  });
});
