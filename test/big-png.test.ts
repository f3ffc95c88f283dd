/**
 * A 3840x2160 PNG (a 4K screenshot, 8.3 MP: refused before) in workerd: decoded row by row and shrunk on the fly
 * (image/png-rows.ts, image/shrink-rows.ts), it answers as a downscaled copy of itself does. The big file is
 * made here by upscaling a fixture photo with photon and encoding it with the project's own PNG encoder.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ClassifyResponse, DetectResponse } from '@cvkit/sdk/contract';
import { decodeImage, MAX_PNG_PIXELS } from '../packages/worker/src/image/decode';
import { encodePng } from '../packages/worker/src/image/png';
import { fixture } from './support/fixtures';
import { postImage } from './support/http';

const base = inject('workerUrl');

let big: Uint8Array<ArrayBuffer>;
let small: Uint8Array<ArrayBuffer>;
beforeAll(async () => {
  const { PhotonImage, resize, SamplingFilter } = await import('@cf-wasm/photon');
  const photo = PhotonImage.new_from_byteslice(fixture('two_people_snow.png'));
  const up = resize(photo, 3840, 2160, SamplingFilter.Triangle);
  const down = resize(up, 960, 540, SamplingFilter.Triangle);
  big = (await encodePng({ width: 3840, height: 2160, color: 'rgba', data: up.get_raw_pixels() })) as Uint8Array<ArrayBuffer>;
  small = (await encodePng({ width: 960, height: 540, color: 'rgba', data: down.get_raw_pixels() })) as Uint8Array<ArrayBuffer>;
  for (const image of [photo, up, down]) image.free();
}, 120_000);

async function ask<T>(path: string, bytes: Uint8Array<ArrayBuffer>, parse: (body: unknown) => T): Promise<T> {
  const res = await postImage(`${base}${path}`, bytes, 'image/png', { headers: { 'content-type': 'image/png', 'cache-control': 'no-cache' } });
  expect(res.status, await res.clone().text()).toBe(200);
  return parse(await res.json());
}

describe('a 3840x2160 PNG', () => {
  it('is within the PNG limit, and decodes shrunk to what a model needs (no full frame)', async () => {
    expect(3840 * 2160).toBeLessThanOrEqual(MAX_PNG_PIXELS);
    const decoded = await decodeImage(big, { minWidth: 513, minHeight: 513 });
    expect([decoded.width, decoded.height, decoded.original]).toEqual([960, 540, { width: 3840, height: 2160 }]);
  });

  it('classifies as its downscaled copy does', async () => {
    const [a, b] = await Promise.all([ask('/v1/classify', big, (j) => ClassifyResponse.parse(j)), ask('/v1/classify', small, (j) => ClassifyResponse.parse(j))]);
    expect(a.image).toEqual({ width: 3840, height: 2160 });
    expect(a.predictions[0]?.label).toBe(b.predictions[0]?.label);
    expect(Math.abs((a.predictions[0]?.score ?? 0) - (b.predictions[0]?.score ?? 0))).toBeLessThan(0.1);
  });

  it('detects what its downscaled copy does, in its own coordinates', async () => {
    const a = await ask('/v1/detect', big, (j) => DetectResponse.parse(j));
    const b = await ask('/v1/detect', small, (j) => DetectResponse.parse(j));
    expect(b.detections.length).toBeGreaterThan(0);
    expect(a.detections[0]?.label).toBe(b.detections[0]?.label);
    // boxes scale by 4 (3840 / 960): the best box of each agrees within a few percent of the image
    const [da, db] = [a.detections[0], b.detections[0]];
    expect(Math.abs((da?.box.x1 ?? 0) - (db?.box.x1 ?? 0) * 4)).toBeLessThan(3840 * 0.03);
    expect(Math.abs((da?.box.y2 ?? 0) - (db?.box.y2 ?? 0) * 4)).toBeLessThan(2160 * 0.03);
  });
});
