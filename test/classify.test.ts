/**
 * Classification end to end: the real worker bundle in workerd (wrangler dev, started by the global setup) and the
 * same pipeline in plain Node, on the shared fixture photos.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ClassifyResponse, ModelList } from '@cvkit/sdk/contract';
import { createNodeApp } from '../packages/worker/src/node';
import { fixture, modelDir } from './support/fixtures';
import { postImage, postJson, serve, toBase64 } from './support/http';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const base = inject('workerUrl');
const asset = (name: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(resolve(import.meta.dirname, 'assets', name)));

const expected: Array<[string, string | RegExp]> = [
  ['cat.png', /^(Egyptian cat|tabby|tiger cat)$/],
  ['hot_dog.jpg', 'hotdog'],
  ['parrot.jpg', 'macaw'],
  ['dragonfly.png', 'dragonfly'],
  ['bird.png', 'chickadee'],
  ['grace_hopper.png', 'military uniform'],
];

async function classify(bytes: Uint8Array<ArrayBuffer>, query = '', type = 'image/*') {
  const res = await postImage(`${base}/v1/classify${query}`, bytes, type);
  expect(res.status, await res.clone().text()).toBe(200);
  return ClassifyResponse.parse(await res.json());
}

// Made before any request: a client busy for seconds between two requests can find its kept-alive connection
// closed by the server (EPIPE on the next request), a test artefact.
let jpeg: Uint8Array<ArrayBuffer>;
beforeAll(async () => {
  const { PhotonImage, resize, SamplingFilter } = await import('@cf-wasm/photon');
  const small = PhotonImage.new_from_byteslice(fixture('parrot.jpg'));
  const big = resize(small, 3000, 4000, SamplingFilter.Nearest);
  jpeg = new Uint8Array(big.get_bytes_jpeg(85));
  small.free();
  big.free();
});

describe('POST /v1/classify in workerd', () => {
  it.each(expected)('%s -> %s with the default model', async (name, label) => {
    const body = await classify(fixture(name));
    expect(body.predictions[0]?.label).toMatch(label);
    expect(body.model).toMatchObject({ tier: 'edge', default: true, task: 'classify' });
    expect(body.predictions).toHaveLength(5);
    const scores = body.predictions.map((p) => p.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(body.timings.total_ms).toBeGreaterThan(0);
    expect(body.timings.inference_ms).toBeGreaterThan(0);
  });

  it("ImageNet's placeholder `background` (index 0) is never a prediction, even with top_k=100", async () => {
    // The quantised model gives many exact zeros; ties keep the lower index first, so index 0 used to come in.
    for (const name of ['parrot.jpg', 'dragonfly.png']) {
      for (const model of ['mobilenet_v2_1.0_224_quant', 'mobilenet_v1_0.25_128_quant']) {
        const body = await classify(fixture(name), `?model=${model}&top_k=100`);
        expect(body.predictions).toHaveLength(100);
        expect(body.predictions.filter((p) => p.index === 0 || p.label === 'background'), `${name} ${model}`).toEqual([]);
      }
    }
  });

  it('gives the full synset beside the display label', async () => {
    const body = await classify(fixture('hot_dog.jpg'), '?top_k=1');
    expect(body.predictions).toEqual([expect.objectContaining({ label: 'hotdog', synset: 'hotdog, hot dog, red hot', index: 935 })]);
  });

  it.each(['mobilenet_v2_1.0_224', 'mobilenet_v1_0.75_192_quant', 'mobilenet_v1_0.25_128_quant'])('serves %s on request', async (model) => {
    const body = await classify(fixture('parrot.jpg'), `?model=${model}&top_k=3`);
    expect(body.model.id).toBe(model);
    expect(body.predictions[0]?.label).toBe('macaw');
    expect(body.predictions).toHaveLength(3);
  });

  it.each(['cat.webp', 'cat.gif', 'cat.bmp'])('decodes %s', async (name) => {
    const body = await classify(asset(name), '', 'application/octet-stream');
    expect(body.predictions[0]?.label).toMatch(/^(Egyptian cat|tabby|tiger cat)$/);
  });

  it('applies EXIF orientation: a rotated JPEG with orientation 6 is classified upright', async () => {
    const body = await classify(asset('cat_exif6.jpg'), '', 'image/jpeg');
    expect(body.image).toEqual({ width: 512, height: 341 });
    expect(body.predictions[0]?.label).toMatch(/^(Egyptian cat|tabby|tiger cat)$/);
  });

  describe('image inputs', () => {
    let files: Awaited<ReturnType<typeof serve>>;
    beforeAll(async () => {
      files = await serve((req, res) => {
        if (req.url === '/parrot.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(fixture('parrot.jpg'));
        res.writeHead(404).end('missing');
      });
    });
    afterAll(() => files.close());

    it('JSON with an http URL', async () => {
      const res = await postJson(`${base}/v1/classify`, { image: `${files.url}/parrot.jpg`, top_k: 2 });
      const body = ClassifyResponse.parse(await res.json());
      expect(body.predictions.map((p) => p.label)[0]).toBe('macaw');
      expect(body.predictions).toHaveLength(2);
    });

    it('JSON with a data: URL and with bare base64', async () => {
      const b64 = toBase64(fixture('hot_dog.jpg'));
      for (const image of [`data:image/jpeg;base64,${b64}`, b64]) {
        const body = ClassifyResponse.parse(await (await postJson(`${base}/v1/classify`, { image })).json());
        expect(body.predictions[0]?.label).toBe('hotdog');
      }
    });

    it('multipart/form-data with an image file and options as fields', async () => {
      const form = new FormData();
      form.set('image', new Blob([fixture('bird.png')], { type: 'image/png' }), 'bird.png');
      form.set('top_k', '1');
      const res = await fetch(`${base}/v1/classify`, { method: 'POST', body: form });
      const body = ClassifyResponse.parse(await res.json());
      expect(body.predictions.map((p) => p.label)).toEqual(['chickadee']);
    });
  });
});

describe('GET /v1/models and /health', () => {
  it('lists every served model with one default per task', async () => {
    const { models } = ModelList.parse(await (await fetch(`${base}/v1/models`)).json());
    const classifiers = models.filter((m) => m.task === 'classify');
    expect(classifiers.map((m) => m.id)).toEqual(expect.arrayContaining(['mobilenet_v2_1.0_224_quant', 'mobilenet_v1_0.75_192_quant']));
    expect(classifiers.filter((m) => m.default)).toHaveLength(1);
    expect(classifiers[0]).toMatchObject({ labels: 1001, license: 'Apache-2.0', input: { width: expect.any(Number) } });
  });

  it('answers health with a request id', async () => {
    const res = await fetch(`${base}/health`, { headers: { 'x-request-id': 'trace-123' } });
    expect(await res.json()).toMatchObject({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
  });
});

describe('the Node pipeline', () => {
  const app = createNodeApp({ modelDir });

  it.each(expected)('%s -> %s, the same probabilities as workerd', async (name, label) => {
    const bytes = fixture(name);
    // workerd first: the Node app's first call compiles ORT for seconds, long enough for workerd to drop the idle
    // keep-alive connection the next fetch would reuse ("other side closed") on a loaded machine.
    const edge = await classify(bytes, '?top_k=10');
    const res = await app.request('/v1/classify?top_k=10', { method: 'POST', headers: { 'content-type': 'image/*' }, body: bytes });
    const node = ClassifyResponse.parse(await res.json());
    expect(node.predictions[0]?.label).toMatch(label);
    expect(node.predictions.map((p) => p.index)).toEqual(edge.predictions.map((p) => p.index));
    node.predictions.forEach((p, i) => expect(p.score).toBeCloseTo(edge.predictions[i]?.score ?? NaN, 5));
  });
});

describe('large photos', () => {
  it('classifies a 12-megapixel JPEG (decoded at reduced scale) and reports its real size', async () => {
    const body = await classify(jpeg, '', 'image/jpeg');
    expect(body.image).toEqual({ width: 3000, height: 4000 });
    expect(body.predictions[0]?.label).toBe('macaw');
  });
});
