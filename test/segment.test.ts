/**
 * Segmentation end to end against the real worker in workerd (wrangler dev, started by the global setup): the
 * shared fixture photos, every served segmentation model, the mask encodings and pictures, and bad options.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PhotonImage } from '@cf-wasm/photon';
import { describe, expect, inject, it } from 'vitest';
import { ErrorBody, ModelList, SegmentResponse } from '@cvkit/sdk/contract';
import { createNodeApp } from '../packages/worker/src/node';
import { decodeRle } from '../packages/worker/src/segment/rle';
import { vocColor } from '../packages/worker/src/segment/palette';
import { fixture, modelDir } from './support/fixtures';
import { postImage, postJson, toBase64 } from './support/http';

const base = inject('workerUrl');
const MODELS = ['deeplabv3_mnv2_dm05_pascal_quant', 'deeplabv3_mnv2_pascal_quant', 'deeplab_v3_1_default_1'];
const BIRD = 3;

async function segment(bytes: Uint8Array<ArrayBuffer>, query = '') {
  const res = await postImage(`${base}/v1/segment${query}`, bytes, 'application/octet-stream');
  expect(res.status, await res.clone().text()).toBe(200);
  return SegmentResponse.parse(await res.json());
}

function decodePng(bytes: Uint8Array) {
  const image = PhotonImage.new_from_byteslice(bytes);
  try {
    return { width: image.get_width(), height: image.get_height(), rgba: image.get_raw_pixels() };
  } finally {
    image.free();
  }
}

/** PNG header fields straight from the bytes: photon expands everything to RGBA, so check the real format here. */
function pngHeader(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(String.fromCharCode(...bytes.subarray(12, 16))).toBe('IHDR');
  return { width: view.getUint32(16), height: view.getUint32(20), bitDepth: bytes[24], colorType: bytes[25] };
}

/** The class map in a JSON response's PNG mask, checked to be single-channel 8-bit. */
function classMapOf(body: SegmentResponse): Uint8Array {
  if (body.mask.encoding !== 'png') throw new Error(`mask is ${body.mask.encoding}`);
  expect(body.mask.data_url).toMatch(/^data:image\/png;base64,/);
  const bytes = new Uint8Array(Buffer.from(body.mask.data_url.split(',')[1] ?? '', 'base64'));
  expect(pngHeader(bytes)).toEqual({ width: body.image.width, height: body.image.height, bitDepth: 8, colorType: 0 });
  const { width, height, rgba } = decodePng(bytes);
  expect([width, height]).toEqual([body.image.width, body.image.height]);
  return Uint8Array.from({ length: width * height }, (_, i) => rgba[i * 4] as number);
}

const reference = (() => {
  const { rgba, width, height } = decodePng(fixture('bird_segmentation_mask.png'));
  return { width, height, data: Uint8Array.from({ length: width * height }, (_, i) => rgba[i * 4] as number) };
})();

function iou(a: Uint8Array, b: Uint8Array, cls: number) {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] === cls;
    const y = b[i] === cls;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return inter / union;
}

const largestObject = (body: SegmentResponse) => body.segments.find((s) => s.index !== 0)?.label;

describe('POST /v1/segment in workerd', () => {
  it('lists the three segmentation models with one default', async () => {
    const { models } = ModelList.parse(await (await fetch(`${base}/v1/models`)).json());
    const segmenters = models.filter((m) => m.task === 'segment');
    expect(segmenters.map((m) => m.id).sort()).toEqual([...MODELS].sort());
    expect(segmenters.filter((m) => m.default)).toHaveLength(1);
    expect(segmenters.every((m) => m.labels === 21)).toBe(true);
  });

  describe.each(MODELS)('%s', (model) => {
    it('bird_segmentation: bird is the largest object and agrees with the reference mask (IoU >= 0.8)', async () => {
      const body = await segment(fixture('bird_segmentation.png'), `?model=${model}`);
      expect(body.model.id).toBe(model);
      expect(body.image).toEqual({ width: 513, height: 513 });
      expect(largestObject(body)).toBe('bird');
      const map = classMapOf(body);
      expect(iou(map, reference.data, BIRD)).toBeGreaterThanOrEqual(0.8);
    });

    it.each([
      ['dog_segmentation.png', 'dog'],
      ['cat.png', 'cat'],
      ['grace_hopper.png', 'person'],
    ])('%s -> %s', async (name, label) => {
      const body = await segment(fixture(name), `?model=${model}&mask=none`);
      expect(largestObject(body)).toBe(label);
      expect(body.mask).toEqual({ encoding: 'none' });
    });
  });

  it('reports every class present, background included, largest first, with stats that match the PNG mask', async () => {
    const body = await segment(fixture('grace_hopper.png'));
    expect(body.model.default).toBe(true);
    expect(body.image).toEqual({ width: 512, height: 600 });
    const map = classMapOf(body);
    const counts = new Map<number, number>();
    for (const v of map) counts.set(v, (counts.get(v) ?? 0) + 1);
    // The PNG's values are exactly the reported classes, with the reported areas and boxes.
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(body.segments.map((s) => s.index).sort((a, b) => a - b));
    expect(body.segments.map((s) => s.label)).toContain('background');
    for (const s of body.segments) {
      expect(counts.get(s.index)).toBe(s.pixels);
      expect(s.fraction).toBeCloseTo(s.pixels / (512 * 600), 10);
      expect(s.color).toBe(`#${vocColor(s.index).map((v) => v.toString(16).padStart(2, '0')).join('')}`);
      let [x1, y1, x2, y2] = [512, 600, 0, 0];
      map.forEach((v, i) => {
        if (v !== s.index) return;
        const x = i % 512;
        const y = Math.floor(i / 512);
        [x1, y1, x2, y2] = [Math.min(x1, x), Math.min(y1, y), Math.max(x2, x + 1), Math.max(y2, y + 1)];
      });
      expect(s.box).toEqual({ x1, y1, x2, y2 });
    }
    const areas = body.segments.map((s) => s.pixels);
    expect(areas).toEqual([...areas].sort((a, b) => b - a));
    expect(body.segments.reduce((n, s) => n + s.fraction, 0)).toBeCloseTo(1, 10);
    expect(body.timings.encode_ms).toBeGreaterThan(0);
    expect(body.timings.inference_ms).toBeGreaterThan(0);
  });

  it('RLE decodes to the same class map as the PNG mask', async () => {
    const bytes = fixture('cat.png');
    const png = classMapOf(await segment(bytes));
    const body = await segment(bytes, '?mask=rle');
    if (body.mask.encoding !== 'rle') throw new Error('expected rle');
    const { width, height, masks } = body.mask;
    expect([width, height, body.mask.order]).toEqual([512, 341, 'column-major']);
    expect(masks.map((m) => m.index)).toEqual(body.segments.map((s) => s.index));
    const rebuilt = new Uint8Array(width * height).fill(99);
    for (const m of masks) {
      expect(m.size).toEqual([height, width]);
      expect(m.counts.reduce((a, b) => a + b, 0)).toBe(width * height);
      decodeRle(m.counts, width, height).forEach((bit, i) => {
        if (bit) rebuilt[i] = m.index;
      });
    }
    expect(Buffer.from(rebuilt).equals(Buffer.from(png))).toBe(true);
  });

  it('applies EXIF orientation: the class map has the upright size', async () => {
    const bytes = new Uint8Array(readFileSync(resolve(import.meta.dirname, 'assets/cat_exif6.jpg')));
    const body = await segment(bytes);
    expect(body.image).toEqual({ width: 512, height: 341 });
    expect(largestObject(body)).toBe('cat');
    expect(classMapOf(body)).toHaveLength(512 * 341);
  });

  it('classes=... reports and encodes only those classes; the rest reads 255', async () => {
    const body = await segment(fixture('bird_segmentation.png'), '?classes=bird,Person');
    expect(body.segments.map((s) => s.label)).toEqual(['bird']);
    const values = new Set(classMapOf(body));
    expect([...values].sort((a, b) => a - b)).toEqual([BIRD, 255]);
    // JSON bodies take a list; the area is the same as unfiltered.
    const res = await postJson(`${base}/v1/segment`, { image: toBase64(fixture('bird_segmentation.png')), classes: ['background', 'bird'], mask: 'rle' });
    const listed = SegmentResponse.parse(await res.json());
    const all = await segment(fixture('bird_segmentation.png'), '?mask=none');
    expect(listed.segments).toEqual(all.segments.filter((s) => s.label === 'background' || s.label === 'bird'));
  });

  it('format=image returns the photo with the colour mask blended over it', async () => {
    const bytes = fixture('cat.png');
    const json = await segment(bytes);
    const map = classMapOf(json);
    const res = await postImage(`${base}/v1/segment?format=image`, bytes, 'image/png');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('server-timing')).toMatch(/inference;dur=[\d.]+.*encode;dur=[\d.]+/);
    const png = new Uint8Array(await res.arrayBuffer());
    expect(pngHeader(png)).toMatchObject({ width: 512, height: 341, colorType: 6 });
    const picture = decodePng(png);
    const photo = decodePng(bytes);
    let same = 0;
    let tinted = 0;
    const cat = vocColor(8);
    for (let i = 0; i < map.length; i++) {
      const p = i * 4;
      if (map[i] === 0) {
        if (picture.rgba[p] === photo.rgba[p] && picture.rgba[p + 1] === photo.rgba[p + 1] && picture.rgba[p + 2] === photo.rgba[p + 2]) same++;
      } else if (map[i] === 8) {
        // Half the photo plus half the cat colour (64,0,0), to rounding.
        const expected = (k: number) => ((photo.rgba[p + k] as number) * 128 + cat[k]! * 128 + 128) >> 8;
        if ([0, 1, 2].every((k) => picture.rgba[p + k] === expected(k))) tinted++;
      }
    }
    const background = json.segments.find((s) => s.index === 0)?.pixels ?? 0;
    expect(same).toBe(background);
    expect(tinted).toBe(json.segments.find((s) => s.index === 8)?.pixels);
  });

  it('format=mask returns the colour mask: VOC colours, background transparent', async () => {
    const bytes = fixture('grace_hopper.png');
    const map = classMapOf(await segment(bytes));
    const res = await postImage(`${base}/v1/segment?format=mask`, bytes, 'image/png');
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = new Uint8Array(await res.arrayBuffer());
    expect(pngHeader(png)).toMatchObject({ width: 512, height: 600, bitDepth: 8, colorType: 3 });
    const { rgba } = decodePng(png);
    for (let i = 0; i < map.length; i++) {
      const c = map[i] as number;
      const expected = c === 0 ? [0, 0, 0, 0] : [...vocColor(c), 255];
      if (rgba[i * 4 + 3] !== expected[3] || (c !== 0 && [0, 1, 2].some((k) => rgba[i * 4 + k] !== expected[k]))) {
        throw new Error(`pixel ${i} (class ${c}) is ${Array.from(rgba.subarray(i * 4, i * 4 + 4))}`);
      }
    }
  });

  it('format=cutout: the photo as a PNG, background transparent, the pets opaque; classes=dog keeps only the dog', async () => {
    const bytes = fixture('pets.jpg');
    const json = await segment(bytes);
    const map = classMapOf(json);
    expect(json.segments.map((s) => s.label)).toEqual(expect.arrayContaining(['background', 'dog']));
    const cut = async (query: string) => {
      const res = await postImage(`${base}/v1/segment?format=cutout${query}`, bytes, 'image/jpeg');
      expect(res.status, res.status === 200 ? '' : await res.text()).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      const png = new Uint8Array(await res.arrayBuffer());
      expect(pngHeader(png)).toMatchObject({ width: 512, height: 430, bitDepth: 8, colorType: 6 });
      return decodePng(png).rgba;
    };
    const all = await cut('');
    const dogOnly = await cut('&classes=dog');
    let opaque = 0;
    for (let i = 0; i < map.length; i++) {
      const c = map[i] as number;
      const [a, b] = [all[i * 4 + 3], dogOnly[i * 4 + 3]];
      if (a !== (c === 0 ? 0 : 255) || b !== (c === 12 ? 255 : 0)) throw new Error(`pixel ${i} (class ${c}): alpha ${a} / ${b} with classes=dog`);
      if (a === 255) opaque++;
    }
    expect(opaque).toBe(json.segments.filter((s) => s.index !== 0).reduce((n, s) => n + s.pixels, 0));
    expect(opaque).toBeGreaterThan(map.length / 10);
  });

  it.each([
    ['?classes=bird,unicorn', 'invalid_option', /unicorn/],
    ['?classes=', 'invalid_option', /classes/],
    ['?mask=jpeg', 'invalid_option', /mask/],
    ['?format=svg', 'invalid_option', /format/],
    ['?opacity=2', 'invalid_option', /opacity/],
    ['?model=mobilenet_v2_1.0_224', 'model_not_found', /classify model/],
    ['?model=nope', 'model_not_found', /deeplab/],
  ])('%s -> 4xx %s', async (query, code, message) => {
    const res = await postImage(`${base}/v1/segment${query}`, fixture('dog_segmentation.png'));
    const text = await res.text();
    const body = ErrorBody.parse(JSON.parse(text));
    expect(res.status, text).toBe(code === 'model_not_found' ? 404 : 400);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(message);
  });

  it('garbage bytes -> 4xx, and the worker keeps serving', async () => {
    const res = await postImage(`${base}/v1/segment`, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), 'image/png');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(largestObject(await segment(fixture('dog_segmentation.png')))).toBe('dog');
  });
});

describe('the Node pipeline', () => {
  const app = createNodeApp({ modelDir });
  it('gives the same segments as workerd', async () => {
    const bytes = fixture('dog_segmentation.png');
    // workerd first (see classify.test.ts: a slow first Node call outlives workerd's idle keep-alive)
    const edge = await segment(bytes, '?mask=rle');
    const res = await app.request('/v1/segment?mask=rle', { method: 'POST', headers: { 'content-type': 'image/png' }, body: bytes });
    const node = SegmentResponse.parse(await res.json());
    expect(node.segments).toEqual(edge.segments);
    expect(node.mask).toEqual(edge.mask);
  });
});
