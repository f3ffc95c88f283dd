/** decodeImage against files crafted to make a decoder allocate far more than their header admits. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { zlibSync } from 'fflate';
import { GifWriter } from 'omggif';
import { describe, expect, it } from 'vitest';
import '../node'; // libjpeg-turbo on, as in the worker
import { decodeImage } from './decode';
import { readHeader } from './formats';

const hotDog = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../../../../shared/fixtures/images/hot_dog.jpg')));
const u32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const chunk = (type: string, data: Uint8Array) => [...u32(data.length), ...new TextEncoder().encode(type), ...data, 0, 0, 0, 0];

describe('decodeImage refuses bombs', () => {
  it('a 1x1 PNG whose image data inflates to 64 MB is invalid_image, without inflating it all', async () => {
    const ihdr = new Uint8Array([...u32(1), ...u32(1), 8, 2, 0, 0, 0]);
    const idat = zlibSync(new Uint8Array(64 * 1024 * 1024));
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...chunk('IHDR', ihdr), ...chunk('IDAT', idat), ...chunk('IEND', new Uint8Array())]);
    expect(readHeader(png)).toEqual({ format: 'png', width: 1, height: 1 });
    await expect(decodeImage(png)).rejects.toMatchObject({ code: 'invalid_image' });
  });

  it('a GIF whose first frame is larger than its 2x2 canvas is invalid_image', async () => {
    const buf = new Uint8Array(100_000);
    const writer = new GifWriter(buf, 2, 2, { palette: [0, 0xffffff] });
    writer.addFrame(0, 0, 200, 200, new Array(200 * 200).fill(1));
    const gif = buf.subarray(0, writer.end());
    expect(readHeader(gif)).toEqual({ format: 'gif', width: 2, height: 2 });
    await expect(decodeImage(gif)).rejects.toMatchObject({ code: 'invalid_image' });
  });

  it('reads a JPEG frame size past standalone markers (TEM, RSTn) as libjpeg does', () => {
    const withTem = Uint8Array.from([...hotDog.subarray(0, 2), 0xff, 0x01, ...hotDog.subarray(2)]);
    expect(readHeader(withTem)).toEqual({ format: 'jpeg', width: 512, height: 384 });
  });
});

describe('decodeImage reads BMPs in JS as photon does', () => {
  it('a 24-bit BMP, pixel for pixel', async () => {
    const { PhotonImage } = await import('@cf-wasm/photon');
    const bmp = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../../../test/assets/cat.bmp')));
    const reference = PhotonImage.new_from_byteslice(bmp);
    const decoded = await decodeImage(bmp);
    expect([decoded.width, decoded.height]).toEqual([160, 107]);
    expect(Buffer.compare(Buffer.from(decoded.rgba), Buffer.from(reference.get_raw_pixels()))).toBe(0);
    reference.free();
  });
  it('a BMP whose pixel data is cut short is invalid_image', async () => {
    const bmp = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../../../test/assets/cat.bmp')));
    const short = bmp.slice(0, bmp.length - 5000);
    new DataView(short.buffer).setUint32(2, short.length, true); // the header's file size agrees, the rows do not
    await expect(decodeImage(short)).rejects.toMatchObject({ code: 'invalid_image' });
  });
});

describe('decodeImage accepts what cameras make', () => {
  it('a JPEG with a video appended after the image (a "motion photo")', async () => {
    const trailer = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) & 0xfe);
    const motion = Uint8Array.from([...hotDog, ...trailer]);
    const decoded = await decodeImage(motion, { minWidth: 224, minHeight: 224 });
    expect(decoded.original).toEqual({ width: 512, height: 384 });
  });
});
