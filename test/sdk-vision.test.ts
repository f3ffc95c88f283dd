/**
 * @cvkit/sdk's detect and segment against the real worker, the SDK's part of issues 3 and 4: typed results whose
 * fields are the ones the worker really sends (and its contract schemas accept), options as the endpoints read
 * them, the mask and annotated-image helpers on real answers, error classes, and the CLI commands.
 *
 * Nothing here is skipped: until POST /v1/detect and POST /v1/segment are deployed these tests fail (404).
 */
import { PhotonImage } from '@cf-wasm/photon';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  annotatedImage,
  BadRequestError,
  type ClassMap,
  CVKit,
  CVKitError,
  decodeMask,
  decodePngMask,
  type DetectResponse,
  type ModelInfo,
  NotFoundError,
  type SegmentResponse,
} from '@cvkit/sdk';
import { fromFile } from '@cvkit/sdk/node';
import { fixture, fixturesDir } from './support/fixtures';
import { serve } from './support/http';
import { ensureSdkBuilt, runCli } from './support/sdk';

const baseURL = inject('workerUrl');
const cv = new CVKit({ baseURL });
const photo = (name: string) => resolve(fixturesDir, name);

/** Width and height of an encoded image, by an independent decoder (photon). */
async function imageSize(image: Blob | Uint8Array): Promise<{ width: number; height: number }> {
  const bytes = image instanceof Blob ? new Uint8Array(await image.arrayBuffer()) : image;
  const decoded = PhotonImage.new_from_byteslice(bytes);
  try {
    return { width: decoded.get_width(), height: decoded.get_height() };
  } finally {
    decoded.free();
  }
}

/** The worker's answer must also satisfy the contract's zod schema for it (added with the endpoint). */
async function conformsToContract(name: 'DetectResponse' | 'SegmentResponse', body: unknown) {
  const contract = (await import('@cvkit/sdk/contract')) as Record<string, unknown>;
  const schema = contract[name] as { parse(value: unknown): unknown } | undefined;
  expect(schema, `${name} in packages/sdk/src/contract.ts`).toBeDefined();
  schema?.parse(body);
}

const labels = (r: DetectResponse, label: string) => r.detections.filter((d) => d.label === label);

let files: Awaited<ReturnType<typeof serve>>;
let tmp: string;
beforeAll(async () => {
  ensureSdkBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'cvkit-sdk-vision-'));
  files = await serve((req, res) => {
    const name = req.url?.slice(1) ?? '';
    if (/^[\w.]+\.(jpg|png)$/.test(name) && existsSync(photo(name))) {
      return void res.writeHead(200, { 'content-type': name.endsWith('.png') ? 'image/png' : 'image/jpeg' }).end(fixture(name));
    }
    res.writeHead(404).end();
  });
}, 120_000);
afterAll(async () => {
  await files?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('detect', () => {
  it('pets.jpg (a File from fromFile) -> two dogs, one box each, typed as the worker sends them', async () => {
    const result = await cv.detect(await fromFile(photo('pets.jpg')));
    await conformsToContract('DetectResponse', result);
    expect(result).toMatchObject({ task: 'detect', model: { task: 'detect', default: true }, image: { width: 512, height: 430 } });
    expect(labels(result, 'dog')).toHaveLength(2);
    const scores = result.detections.map((d) => d.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const d of result.detections) {
      expect(d.score).toBeGreaterThanOrEqual(0.5);
      expect(d.box.x1).toBeGreaterThanOrEqual(0);
      expect(d.box.y1).toBeGreaterThanOrEqual(0);
      expect(d.box.x2).toBeLessThanOrEqual(result.image.width);
      expect(d.box.y2).toBeLessThanOrEqual(result.image.height);
      expect(d.box.x2).toBeGreaterThan(d.box.x1);
      expect(d.box_normalized.x1).toBeCloseTo(d.box.x1 / result.image.width, 3);
      expect(d.box_normalized.y2).toBeCloseTo(d.box.y2 / result.image.height, 3);
      expect(typeof d.index).toBe('number');
    }
    expect(result.timings.inference_ms).toBeGreaterThan(0);
  });

  it('an http URL (fetched by the worker) -> several kites and several people', async () => {
    // 0.25: the DETR-style detectors score small objects lower than YOLOX (the detect tests use the same cut)
    const result = await cv.detect(`${files.url}/kite_and_cold.jpg`, { threshold: 0.25 });
    expect(result.image).toEqual({ width: 1352, height: 900 });
    expect(labels(result, 'kite').length).toBeGreaterThanOrEqual(2);
    expect(labels(result, 'person').length).toBeGreaterThanOrEqual(2);
  });

  it('options: classes (a list, sent comma-separated), threshold, max_detections', async () => {
    const bytes = fixture('kite_and_cold.jpg');
    const people = await cv.detect(bytes, { classes: ['person'] });
    expect(people.detections.length).toBeGreaterThan(0);
    expect(new Set(people.detections.map((d) => d.label))).toEqual(new Set(['person']));
    const two = await cv.detect(bytes, { classes: ['person', 'kite'], threshold: 0.3 });
    expect(new Set(two.detections.map((d) => d.label))).toEqual(new Set(['person', 'kite']));
    const sure = await cv.detect(bytes, { threshold: 0.8 });
    expect(sure.detections.every((d) => d.score >= 0.8)).toBe(true);
    expect((await cv.detect(bytes, { max_detections: 1 })).detections).toHaveLength(1);
    expect((await cv.detect(bytes, { iou: 0.3 })).detections.length).toBeGreaterThan(0);
  });

  it('every served detector finds the person in grace_hopper.png (a Uint8Array)', async () => {
    const detectors = (await cv.models()).models.filter((m: ModelInfo) => m.task === 'detect');
    expect(detectors.length).toBeGreaterThanOrEqual(3);
    for (const model of detectors) {
      const result = await cv.detect(fixture('grace_hopper.png'), { model: model.id, threshold: 0.4 });
      expect(result.model.id).toBe(model.id);
      expect(labels(result, 'person').length, model.id).toBeGreaterThanOrEqual(1);
    }
  });

  it('annotate: true -> annotatedImage(result) is the photo at its size, as a Blob', async () => {
    const result = await cv.detect(fixture('pets.jpg'), { annotate: true });
    await conformsToContract('DetectResponse', result);
    const blob = annotatedImage(result);
    expect(blob.type).toMatch(/^image\/(png|jpeg)$/);
    expect(await imageSize(blob)).toEqual({ width: 512, height: 430 });
    expect(() => annotatedImage({})).toThrow(CVKitError);
  });

  it("format: 'image' -> the annotated photo itself, as a Blob", async () => {
    const blob = await cv.detect(new Blob([fixture('parrot.jpg')]), { format: 'image' });
    expect(blob).toBeInstanceOf(Blob);
    expect(blob.type).toMatch(/^image\/(png|jpeg)$/);
    expect(await imageSize(blob)).toEqual({ width: 512, height: 929 });
  });

  it("format: 'image' .withResponse(): the picture and its headers (x-detections, server-timing, request id)", async () => {
    const { data, response, request_id } = await cv.detect(fixture('pets.jpg'), { format: 'image' }).withResponse();
    expect(data).toBeInstanceOf(Blob);
    expect(data.type).toMatch(/^image\//);
    expect(response.headers.get('x-detections')).toBe('2'); // the two dogs
    expect(response.headers.get('server-timing')).toMatch(/inference;dur=\d/);
    expect(request_id).toMatch(/^[\w-]+$/);
  });

  it('bad options and models -> BadRequestError / NotFoundError from the real answers', async () => {
    const bytes = fixture('pets.jpg');
    const threshold = await cv.detect(bytes, { threshold: 2 }).catch((e: unknown) => e);
    expect(threshold).toBeInstanceOf(BadRequestError);
    expect(threshold).toMatchObject({ status: 400, code: 'invalid_option', issues: [expect.objectContaining({ path: 'threshold' })] });
    const unicorn = await cv.detect(bytes, { classes: ['unicorn'] }).catch((e: unknown) => e);
    expect(unicorn).toBeInstanceOf(BadRequestError);
    expect((unicorn as Error).message).toMatch(/unicorn/);
    const classifier = await cv.detect(bytes, { model: 'mobilenet_v2_1.0_224' }).catch((e: unknown) => e);
    expect(classifier).toBeInstanceOf(NotFoundError);
    expect(classifier).toMatchObject({ code: 'model_not_found', request_id: expect.any(String) });
  });
});

describe('segment', () => {
  /** Pixels per class index in a class map. */
  const histogram = (map: ClassMap) => {
    const counts = new Map<number, number>();
    for (const v of map.data) counts.set(v, (counts.get(v) ?? 0) + 1);
    return counts;
  };
  const iou = (a: ClassMap, b: ClassMap, cls: number) => {
    let inter = 0;
    let union = 0;
    for (let i = 0; i < a.data.length; i++) {
      const x = a.data[i] === cls;
      const y = b.data[i] === cls;
      if (x && y) inter++;
      if (x || y) union++;
    }
    return inter / union;
  };

  it('bird_segmentation.png -> bird is the largest class after background; decodeMask gives the class map', async () => {
    const result = await cv.segment(fixture('bird_segmentation.png'));
    await conformsToContract('SegmentResponse', result);
    expect(result).toMatchObject({ task: 'segment', model: { task: 'segment', default: true }, image: { width: 513, height: 513 } });
    expect(result.mask.encoding).toBe('png');
    expect(result.segments.filter((s) => s.label !== 'background')[0]?.label).toBe('bird');
    const pixels = result.segments.map((s) => s.pixels);
    expect(pixels).toEqual([...pixels].sort((a, b) => b - a));
    expect(result.segments.reduce((sum, s) => sum + s.fraction, 0)).toBeCloseTo(1, 3);

    const map = await decodeMask(result);
    expect([map.width, map.height]).toEqual([513, 513]);
    const counts = histogram(map);
    expect(new Set(counts.keys())).toEqual(new Set(result.segments.map((s) => s.index)));
    for (const s of result.segments) expect(counts.get(s.index), s.label).toBe(s.pixels);
  });

  it('the 513x513 models agree with the reference mask on the bird (IoU >= 0.8)', async () => {
    const reference = await decodePngMask(fixture('bird_segmentation_mask.png'));
    const models = (await cv.models()).models.filter((m) => m.task === 'segment' && m.input.width === 513);
    expect(models.length).toBeGreaterThanOrEqual(2);
    for (const model of models) {
      const map = await decodeMask(await cv.segment(fixture('bird_segmentation.png'), { model: model.id }));
      expect(iou(map, reference, 3), model.id).toBeGreaterThanOrEqual(0.8);
    }
  });

  it("mask: 'rle' decodes to the same class map as the PNG", async () => {
    const bytes = fixture('dog_segmentation.png');
    const png = await cv.segment(bytes, { mask: 'png' });
    const rle = await cv.segment(bytes, { mask: 'rle' });
    await conformsToContract('SegmentResponse', rle);
    expect(rle.mask.encoding).toBe('rle');
    expect(rle.segments).toEqual(png.segments);
    expect(await decodeMask(rle)).toEqual(await decodeMask(png));
  });

  it('cutout(photo) -> a PNG Blob, opaque exactly on the pixels of the classes present but background', async () => {
    const bytes = fixture('pets.jpg');
    const [blob, result] = await Promise.all([cv.cutout(bytes), cv.segment(bytes)]);
    expect(blob).toBeInstanceOf(Blob);
    expect(blob.type).toBe('image/png');
    const image = PhotonImage.new_from_byteslice(new Uint8Array(await blob.arrayBuffer()));
    const alpha = image.get_raw_pixels().filter((_, i) => i % 4 === 3);
    expect([image.get_width(), image.get_height()]).toEqual([512, 430]);
    image.free();
    const opaque = alpha.filter((a) => a === 255).length;
    expect(opaque + alpha.filter((a) => a === 0).length).toBe(alpha.length);
    expect(opaque).toBe(result.segments.filter((s) => s.label !== 'background').reduce((n, s) => n + s.pixels, 0));
  });

  it("mask: 'none' -> only the statistics; decodeMask says what to ask for", async () => {
    const result = await cv.segment(fixture('dog_segmentation.png'), { mask: 'none' });
    expect(result.mask).toEqual({ encoding: 'none' });
    expect(result.segments.map((s) => s.label)).toContain('dog');
    await expect(decodeMask(result)).rejects.toThrow(/mask: 'png' or 'rle'/);
  });

  it.each([
    ['cat.png', 'cat', (b: Uint8Array) => b.slice().buffer],
    ['grace_hopper.png', 'person', (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>])],
    ['dog_segmentation.png', 'dog', (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]).stream()],
  ] as const)('%s -> %s', async (name, label, input) => {
    const result = await cv.segment(input(fixture(name)), { mask: 'none' });
    expect(result.segments.filter((s) => s.label !== 'background')[0]?.label).toBe(label);
  });

  it('classes: only the named labels are reported', async () => {
    const result = await cv.segment(fixture('bird_segmentation.png'), { classes: ['bird'] });
    const reported = result.segments.map((s) => s.label);
    expect(reported).toContain('bird');
    expect(reported.every((l) => l === 'bird' || l === 'background')).toBe(true);
  });

  it("format: 'image' (overlay) and 'mask' (colour mask) -> PNG Blobs at the photo's size", async () => {
    for (const format of ['image', 'mask'] as const) {
      const blob = await cv.segment(`${files.url}/bird_segmentation.png`, { format });
      expect(blob.type, format).toBe('image/png');
      expect(await imageSize(blob)).toEqual({ width: 513, height: 513 });
    }
  });

  it('bad options -> BadRequestError', async () => {
    const bytes = fixture('dog_segmentation.png');
    const mask = await cv.segment(bytes, { mask: 'jpeg' as 'png' }).catch((e: unknown) => e);
    expect(mask).toBeInstanceOf(BadRequestError);
    expect((mask as BadRequestError).issues?.[0]?.path).toBe('mask');
    expect(await cv.segment(bytes, { classes: ['unicorn'] }).catch((e: unknown) => e)).toBeInstanceOf(BadRequestError);
  });
});

describe('cvkit detect / segment', () => {
  it('detect: a table with the two dogs; --out writes the annotated photo', async () => {
    const out = join(tmp, 'pets-boxes.png');
    const { code, stdout, stderr } = await runCli(['detect', photo('pets.jpg'), '--out', out, '--base-url', baseURL]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\S+ · edge · 512x430 · \d+ detections? · \d+ ms\n/);
    expect(stdout).toMatch(/label\s+score\s+x1\s+y1\s+x2\s+y2/);
    expect(stdout.match(/^\s+dog\s+\d+\.\d%/gm)).toHaveLength(2);
    expect(stdout).toContain(`annotated image written to ${out}`);
    expect(await imageSize(new Uint8Array(readFileSync(out)))).toEqual({ width: 512, height: 430 });
  });

  it('detect --json with --classes and --threshold', async () => {
    const { code, stdout } = await runCli(['detect', photo('kite_and_cold.jpg'), '--json', '--classes', 'kite', '--threshold', '0.3', '--base-url', baseURL]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as DetectResponse;
    expect(result.detections.length).toBeGreaterThanOrEqual(2);
    expect(result.detections.every((d) => d.label === 'kite' && d.score >= 0.3)).toBe(true);
  });

  it('segment: a table with the bird; --json --mask rle decodes; --out writes the overlay', async () => {
    const out = join(tmp, 'bird-overlay.png');
    const table = await runCli(['segment', photo('bird_segmentation.png'), '--out', out, '--base-url', baseURL]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^\s+bird\s+3\s+\d+\s+\d+\.\d%\s+\d+,\d+,\d+,\d+$/m);
    expect(await imageSize(new Uint8Array(readFileSync(out)))).toEqual({ width: 513, height: 513 });
    const json = await runCli(['segment', photo('bird_segmentation.png'), '--json', '--mask', 'rle', '--base-url', baseURL]);
    const result = JSON.parse(json.stdout) as SegmentResponse;
    expect((await decodeMask(result)).data.filter((v) => v === 3).length).toBe(result.segments.find((s) => s.label === 'bird')?.pixels);
  });

  it('an unknown detector: exit 1 with the API message', async () => {
    const { code, stderr } = await runCli(['detect', photo('pets.jpg'), '--model', 'yolo9000', '--base-url', baseURL]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/yolo9000.*HTTP 404, model_not_found/);
  });
});
