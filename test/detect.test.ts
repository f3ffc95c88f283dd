/**
 * Object detection end to end: the real worker bundle in workerd (wrangler dev, started by the global setup) with
 * the three COCO detectors on the shared fixture photos, the annotated image, bad options, and the same pipeline
 * in plain Node.
 */
import { PhotonImage } from '@cf-wasm/photon';
import { describe, expect, inject, it } from 'vitest';
import { type Detection, DetectResponse, ErrorBody, ModelList } from '@cvkit/sdk/contract';
import { iou } from '../packages/worker/src/detect/boxes';
import { decodeImage } from '../packages/worker/src/image/decode';
import { createNodeApp } from '../packages/worker/src/node';
import { fixture, modelDir } from './support/fixtures';
import { postImage, postJson } from './support/http';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const base = inject('workerUrl');
const DETECTORS = ['yolox_nano', 'deimv2_hgnetv2_atto_coco', 'deimv2_hgnetv2_femto_coco'] as const;
const asset = (name: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(resolve(import.meta.dirname, 'assets', name)));
const typeOf = (name: string) => (name.endsWith('.png') ? 'image/png' : 'image/jpeg');

async function detect(bytes: Uint8Array<ArrayBuffer>, query = '', type = 'image/jpeg'): Promise<DetectResponse> {
  const res = await postImage(`${base}/v1/detect${query}`, bytes, type);
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return DetectResponse.parse(await res.json());
}

// Each fixture x detector is requested once and shared by the tests below.
const cache = new Map<string, Promise<DetectResponse>>();
function detectFixture(name: string, model: string, query = ''): Promise<DetectResponse> {
  const key = `${name}?model=${model}${query}`;
  let hit = cache.get(key);
  if (!hit) cache.set(key, (hit = detect(fixture(name), `?model=${model}${query}`, typeOf(name))));
  return hit;
}

const labelled = (body: DetectResponse, label: string) => body.detections.filter((d) => d.label === label);

function expectWellFormed(body: DetectResponse) {
  const { width, height } = body.image;
  const scores = body.detections.map((d) => d.score);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  for (const d of body.detections) {
    expect(d.box.x1).toBeGreaterThanOrEqual(0);
    expect(d.box.y1).toBeGreaterThanOrEqual(0);
    expect(d.box.x2).toBeLessThanOrEqual(width);
    expect(d.box.y2).toBeLessThanOrEqual(height);
    expect(d.box.x2).toBeGreaterThan(d.box.x1);
    expect(d.box.y2).toBeGreaterThan(d.box.y1);
    expect(d.box_normalized.x1).toBeCloseTo(d.box.x1 / width, 3);
    expect(d.box_normalized.y2).toBeCloseTo(d.box.y2 / height, 3);
    expect(d.score).toBeGreaterThanOrEqual(0);
    expect(d.score).toBeLessThanOrEqual(1);
  }
}

describe('POST /v1/detect in workerd, on real photos', () => {
  it('lists the three detectors in /v1/models with one default', async () => {
    const { models } = ModelList.parse(await (await fetch(`${base}/v1/models`)).json());
    const detectors = models.filter((m) => m.task === 'detect');
    expect(detectors.map((m) => m.id).sort()).toEqual([...DETECTORS].sort());
    expect(detectors.filter((m) => m.default)).toHaveLength(1);
    expect(detectors.every((m) => m.labels === 80 && m.license === 'Apache-2.0')).toBe(true);
  });

  it('uses the default detector when no model is named', async () => {
    const body = await detect(fixture('pets.jpg'));
    expect(body).toMatchObject({ task: 'detect', model: { task: 'detect', default: true, tier: 'edge' }, image: { width: 512, height: 430 } });
    expect(body.timings.inference_ms).toBeGreaterThan(0);
    expect(body.annotated_image).toBeUndefined();
  });

  it.each(DETECTORS)('%s: pets -> two dogs, one box each', async (model) => {
    const body = await detectFixture('pets.jpg', model);
    expectWellFormed(body);
    const dogs = labelled(body, 'dog');
    expect(dogs).toHaveLength(2);
    expect(iou((dogs[0] as Detection).box, (dogs[1] as Detection).box)).toBeLessThan(0.1);
    // one dog on each side of the photo
    expect(dogs.map((d) => (d.box.x1 + d.box.x2) / 2 < 256).sort()).toEqual([false, true]);
  });

  it.each(DETECTORS)('%s: grace_hopper -> a person', async (model) => {
    const body = await detectFixture('grace_hopper.png', model);
    expectWellFormed(body);
    expect(body.detections[0]?.label).toBe('person');
    expect(body.detections[0]?.score).toBeGreaterThan(0.8);
  });

  it.each(DETECTORS)('%s: parrot -> a bird', async (model) => {
    const body = await detectFixture('parrot.jpg', model);
    expectWellFormed(body);
    expect(body.detections[0]?.label).toBe('bird');
    expect(body.image).toEqual({ width: 512, height: 929 });
  });

  it('kite_and_cold -> several kites and several people (YOLOX at the default threshold, the DETRs at 0.25)', async () => {
    const cases: Array<[string, string]> = [['yolox_nano', ''], ['deimv2_hgnetv2_femto_coco', '&threshold=0.25']];
    for (const [model, query] of cases) {
      const body = await detectFixture('kite_and_cold.jpg', model, query);
      expectWellFormed(body);
      expect(body.image).toEqual({ width: 1352, height: 900 });
      expect(labelled(body, 'kite').length, model).toBeGreaterThanOrEqual(2);
      expect(labelled(body, 'person').length, model).toBeGreaterThanOrEqual(3);
      expect(body.detections.every((d) => d.score >= (query ? 0.25 : 0.5))).toBe(true);
      // counts: one entry per label present, summing to the detections ("how many people?")
      const tally: Record<string, number> = {};
      for (const d of body.detections) tally[d.label] = (tally[d.label] ?? 0) + 1;
      expect(body.counts).toEqual(tally);
      expect(body.counts.person, model).toBeGreaterThanOrEqual(3);
    }
  });

  it('the three detectors box the same objects (pairwise IoU > 0.5)', async () => {
    // [fixture, label, how many objects of that label to match]
    const objects: Array<[string, string, number]> = [['pets.jpg', 'dog', 2], ['grace_hopper.png', 'person', 1], ['parrot.jpg', 'bird', 1], ['kite_and_cold.jpg', 'kite', 1]];
    for (const [name, label, count] of objects) {
      const [first, ...others] = await Promise.all(DETECTORS.map((m) => detectFixture(name, m)));
      for (const reference of labelled(first as DetectResponse, label).slice(0, count)) {
        for (const [i, other] of others.entries()) {
          const best = Math.max(...labelled(other, label).map((d) => iou(reference.box, d.box)));
          expect(best, `${name} ${label}: ${DETECTORS[0]} vs ${DETECTORS[i + 1]}`).toBeGreaterThan(0.5);
        }
      }
    }
  });

  it('boxes are in upright pixels: a JPEG stored rotated with EXIF orientation 6 gives the upright photo\'s box', async () => {
    const upright = await detect(fixture('cat.png'), '', 'image/png');
    const rotated = await detect(asset('cat_exif6.jpg'));
    expect(rotated.image).toEqual({ width: 512, height: 341 });
    const [a, b] = [labelled(upright, 'cat')[0], labelled(rotated, 'cat')[0]];
    expect(a && b && iou(a.box, b.box)).toBeGreaterThan(0.85);
  });
});

describe('options', () => {
  it('classes keeps only the named labels (query string, JSON array, multipart field)', async () => {
    const people = await detect(fixture('kite_and_cold.jpg'), '?model=yolox_nano&classes=person');
    expect(people.detections.length).toBeGreaterThanOrEqual(3);
    expect(new Set(people.detections.map((d) => d.label))).toEqual(new Set(['person']));

    const json = DetectResponse.parse(await (await postJson(`${base}/v1/detect`, {
      image: Buffer.from(fixture('grace_hopper.png')).toString('base64'), model: 'yolox_nano', classes: ['Tie'],
    })).json());
    expect(json.detections.map((d) => d.label)).toEqual(['tie']);

    const form = new FormData();
    form.set('image', new Blob([fixture('pets.jpg')], { type: 'image/jpeg' }), 'pets.jpg');
    form.set('classes', 'cat, dog');
    form.set('max_detections', '1');
    const multi = DetectResponse.parse(await (await fetch(`${base}/v1/detect`, { method: 'POST', body: form })).json());
    expect(multi.detections.map((d) => d.label)).toEqual(['dog']);
  });

  it('threshold 0 fills max_detections with the best candidates; threshold 1 finds nothing', async () => {
    for (const model of ['yolox_nano', 'deimv2_hgnetv2_atto_coco']) {
      const all = await detect(fixture('pets.jpg'), `?model=${model}&threshold=0&max_detections=40`);
      expect(all.detections).toHaveLength(40);
      expectWellFormed(all);
      expect(all.detections.slice(0, 2).map((d) => d.label)).toEqual(['dog', 'dog']);
      const none = await detect(fixture('pets.jpg'), `?model=${model}&threshold=1`);
      expect(none.detections).toEqual([]);
    }
  });

  it('one label per object by default: no pizza on the hot dog\'s box, one label on the dog; class_agnostic=false keeps every label', async () => {
    // DETR-style models score every class per query: femto gives hot dog 0.57 and pizza 0.56, bear 0.56 and dog 0.52 on identical boxes.
    const sameObject = (body: DetectResponse) =>
      body.detections.flatMap((a, i) => body.detections.slice(i + 1).filter((b) => a.label !== b.label && iou(a.box, b.box) > 0.7).map((b) => `${a.label}/${b.label}`));
    for (const model of DETECTORS) {
      for (const name of ['hot_dog.jpg', 'dog_segmentation.png']) {
        const body = await detectFixture(name, model, '&threshold=0.3');
        expect(sameObject(body), `${model} ${name}`).toEqual([]);
      }
    }
    const hotDog = await detectFixture('hot_dog.jpg', 'deimv2_hgnetv2_femto_coco');
    expect(hotDog.detections.map((d) => d.label)).toEqual(['hot dog']);
    expect(hotDog.detections[0]?.alternatives?.[0]).toMatchObject({ label: 'pizza', index: 53 });
    const dog = await detectFixture('dog_segmentation.png', 'deimv2_hgnetv2_femto_coco');
    expect(dog.detections).toHaveLength(1);
    expect([dog.detections[0]?.label, ...(dog.detections[0]?.alternatives ?? []).map((a) => a.label)]).toContain('dog');

    const every = await detect(fixture('hot_dog.jpg'), '?model=deimv2_hgnetv2_femto_coco&class_agnostic=false');
    expect(every.detections.map((d) => d.label)).toEqual(['hot dog', 'pizza']);
    expect(every.detections.every((d) => d.alternatives === undefined)).toBe(true);
  });

  it('tiles=true finds more of kite_and_cold\'s small kites and people than the whole image alone, boxes in the photo\'s pixels', async () => {
    for (const model of ['yolox_nano', 'deimv2_hgnetv2_femto_coco']) {
      const [whole, tiled] = await Promise.all([detectFixture('kite_and_cold.jpg', model, '&threshold=0.3'), detectFixture('kite_and_cold.jpg', model, '&threshold=0.3&tiles=true')]);
      expectWellFormed(tiled);
      expect(tiled.image).toEqual({ width: 1352, height: 900 });
      expect(tiled.counts.kite ?? 0, model).toBeGreaterThanOrEqual((whole.counts.kite ?? 0) + 3);
      expect(tiled.counts.person ?? 0, model).toBeGreaterThanOrEqual((whole.counts.person ?? 0) + 3);
      // the big kite is found once, where the whole image finds it
      const big = (b: DetectResponse) => labelled(b, 'kite').sort((p, q) => (q.box.x2 - q.box.x1) - (p.box.x2 - p.box.x1))[0];
      expect(iou(big(whole)?.box ?? whole.detections[0]!.box, big(tiled)?.box ?? tiled.detections[0]!.box), model).toBeGreaterThan(0.8);
    }
    // a photo no larger than a tile is the whole-image pass alone
    const small = await detectFixture('dog_segmentation.png', 'deimv2_hgnetv2_femto_coco', '&tiles=true');
    expect(small.detections.map((d) => d.label)).toEqual((await detectFixture('dog_segmentation.png', 'deimv2_hgnetv2_femto_coco')).detections.map((d) => d.label));
  }, 120_000);

  it('iou: YOLOX without suppression (iou=1) keeps duplicate boxes, the default suppresses them', async () => {
    const raw = await detect(fixture('pets.jpg'), '?model=yolox_nano&iou=1');
    const nms = await detectFixture('pets.jpg', 'yolox_nano');
    expect(labelled(raw, 'dog').length).toBeGreaterThan(labelled(nms, 'dog').length);
  });
});

describe('annotated image', () => {
  const decode = (bytes: Uint8Array) => {
    const image = PhotonImage.new_from_byteslice(bytes);
    try {
      return { width: image.get_width(), height: image.get_height(), rgba: image.get_raw_pixels() };
    } finally {
      image.free();
    }
  };

  it('Accept: image/png returns the photo with boxes drawn: same size, changed on the boxes, unchanged below them', async () => {
    const input = fixture('pets.jpg');
    const json = await detectFixture('pets.jpg', 'deimv2_hgnetv2_femto_coco');
    const res = await postImage(`${base}/v1/detect?model=deimv2_hgnetv2_femto_coco`, input, 'image/jpeg', { headers: { 'content-type': 'image/jpeg', accept: 'image/png' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-detections')).toBe(String(json.detections.length));
    const out = decode(new Uint8Array(await res.arrayBuffer()));
    // the input as the worker decodes it (libjpeg-turbo for JPEGs: its IDCT differs from photon's by a grey level)
    const src = await decodeImage(input);
    expect([out.width, out.height]).toEqual([512, 430]);
    const px = (img: { rgba: Uint8Array; width: number }, x: number, y: number) => Array.from(img.rgba.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3)).join();
    for (const d of json.detections) {
      // the left edge of every box is drawn over
      const x = Math.floor(d.box.x1);
      const ys = Array.from({ length: 20 }, (_, i) => Math.floor(d.box.y1 + ((d.box.y2 - d.box.y1) * (i + 0.5)) / 20));
      expect(ys.filter((y) => px(out, x, y) !== px(src, x, y)).length, d.label).toBeGreaterThanOrEqual(18);
    }
    // captions sit above or inside boxes, so the rows below every box are the input's pixels exactly
    const below = Math.ceil(Math.max(...json.detections.map((d) => d.box.y2))) + 1;
    expect(below).toBeLessThan(430);
    const a = out.rgba.subarray(below * 512 * 4);
    const b = src.rgba.subarray(below * 512 * 4);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
  });

  it('format=image answers JPEG for a JPEG photo, and Accept: image/jpeg picks JPEG for a PNG', async () => {
    const jpeg = await postImage(`${base}/v1/detect?format=image`, fixture('parrot.jpg'), 'image/jpeg');
    expect(jpeg.headers.get('content-type')).toBe('image/jpeg');
    expect(decode(new Uint8Array(await jpeg.arrayBuffer()))).toMatchObject({ width: 512, height: 929 });
    const fromPng = await postImage(`${base}/v1/detect`, fixture('grace_hopper.png'), 'image/png', { headers: { 'content-type': 'image/png', accept: 'image/jpeg' } });
    expect(fromPng.headers.get('content-type')).toBe('image/jpeg');
    expect(decode(new Uint8Array(await fromPng.arrayBuffer()))).toMatchObject({ width: 512, height: 600 });
  });

  it('annotate=true adds it to the JSON as a data URL, timed as encode', async () => {
    const body = await detect(fixture('kite_and_cold.jpg'), '?model=yolox_nano&annotate=true');
    expect(body.annotated_image).toMatch(/^data:image\/jpeg;base64,/);
    expect(body.timings.encode_ms).toBeGreaterThan(0);
    const bytes = new Uint8Array(Buffer.from((body.annotated_image as string).split(',')[1] as string, 'base64'));
    expect(decode(bytes)).toMatchObject({ width: 1352, height: 900 });
  });
});

describe('bad options -> 400 in the error shape', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['threshold=1.5', 'threshold', /threshold/],
    ['threshold=-0.1', 'threshold', /threshold/],
    ['threshold=high', 'threshold', /threshold/],
    ['iou=2', 'iou', /iou/],
    ['max_detections=0', 'max_detections', /max_detections/],
    ['max_detections=2.5', 'max_detections', /max_detections/],
    ['classes=unicorn', 'classes', /'unicorn' is not a label of .*Its labels are: person, bicycle/],
    ['classes=dog,Unicorn,toaster', 'classes', /'Unicorn' is not a label/],
    ['classes=,', 'classes', /classes/],
    ['annotate=maybe', 'annotate', /annotate/],
    ['format=gif', 'format', /format/],
    ['top_k=3', '(options)', /unknown option\(s\): top_k/],
  ];
  it.each(cases)('%s', async (query, path, message) => {
    const res = await postImage(`${base}/v1/detect?${query}`, fixture('pets.jpg'), 'image/jpeg');
    const text = await res.text();
    expect(res.status, text).toBe(400);
    const body = ErrorBody.parse(JSON.parse(text));
    expect(body.error.code).toBe('invalid_option');
    expect(body.error.message).toMatch(message);
    expect(body.error.issues?.map((i) => i.path)).toContain(path);
    expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('a classifier on /v1/detect -> 404 model_not_found; the worker keeps serving', async () => {
    const res = await postImage(`${base}/v1/detect?model=mobilenet_v2_1.0_224`, fixture('pets.jpg'), 'image/jpeg');
    expect(res.status).toBe(404);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('model_not_found');
    expect((await detect(fixture('pets.jpg'))).detections.length).toBeGreaterThan(0);
  });
});

describe('the Node pipeline', () => {
  it('gives the same detections as workerd', async () => {
    const app = createNodeApp({ modelDir });
    for (const model of ['yolox_nano', 'deimv2_hgnetv2_femto_coco']) {
      const res = await app.request(`/v1/detect?model=${model}`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: fixture('pets.jpg') });
      const node = DetectResponse.parse(await res.json());
      const edge = await detectFixture('pets.jpg', model);
      expect(node.detections.map((d) => d.label)).toEqual(edge.detections.map((d) => d.label));
      node.detections.forEach((d, i) => {
        expect(d.score).toBeCloseTo(edge.detections[i]?.score ?? NaN, 5);
        expect(iou(d.box, edge.detections[i]?.box ?? d.box)).toBeGreaterThan(0.999);
      });
    }
  });
});

describe('large photos', () => {
  it('a 12-megapixel JPEG (decoded at reduced scale) gives boxes in its own pixels, matching the small photo', async () => {
    const small = PhotonImage.new_from_byteslice(fixture('parrot.jpg'));
    const { resize, SamplingFilter } = await import('@cf-wasm/photon');
    const big = resize(small, 3000, 5443, SamplingFilter.Nearest);
    const jpeg = new Uint8Array(big.get_bytes_jpeg(85));
    small.free();
    big.free();
    const [large, reference] = [await detect(jpeg), await detect(fixture('parrot.jpg'))];
    expect(large.image).toEqual({ width: 3000, height: 5443 });
    const bird = (b: DetectResponse) => labelled(b, 'bird')[0]?.box_normalized;
    const [a, b] = [bird(large), bird(reference)];
    expect(a && b && iou(a, b)).toBeGreaterThan(0.9);
    expect(labelled(large, 'bird')[0]?.box.x2).toBeGreaterThan(1000);
  });
});
