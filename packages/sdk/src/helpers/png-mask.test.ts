/**
 * The PNG class-map decoder against an independent decoder (photon, the worker's) on the shared reference mask and
 * on PNGs written here with every row filter, plus the refusals.
 */
import { PhotonImage } from '@cf-wasm/photon';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../../test/support/fixtures';
import { CVKitError } from '../errors';
import { decodePngMask, unfilterGray8 } from './png-mask';

/** What photon sees: the R channel of its RGBA (R = G = B for grayscale). */
function photonGray(png: Uint8Array): { width: number; height: number; data: Uint8Array } {
  const image = PhotonImage.new_from_byteslice(png);
  try {
    const rgba = image.get_raw_pixels();
    const data = new Uint8Array(rgba.length / 4);
    for (let i = 0; i < data.length; i++) data[i] = rgba[i * 4] as number;
    return { width: image.get_width(), height: image.get_height(), data };
  } finally {
    image.free();
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Uint8Array) => {
  let c = 0xffffffff;
  for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A grayscale PNG whose row y uses filter `filters[y % filters.length]`, split over several IDAT chunks. */
function encodeGray8(width: number, height: number, pixels: Uint8Array, filters: number[], { depth = 8, colour = 0 } = {}): Uint8Array {
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) {
    const f = filters[y % filters.length] as number;
    raw[y * (width + 1)] = f;
    for (let x = 0; x < width; x++) {
      const v = pixels[y * width + x] as number;
      const a = x > 0 ? (pixels[y * width + x - 1] as number) : 0;
      const b = y > 0 ? (pixels[(y - 1) * width + x] as number) : 0;
      const c = x > 0 && y > 0 ? (pixels[(y - 1) * width + x - 1] as number) : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][f] as number;
      raw[y * (width + 1) + 1 + x] = (v - predicted) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([depth, colour, 0, 0, 0], 8);
  const z = deflateSync(raw);
  const half = Math.floor(z.length / 2);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from('Comment\0class map', 'latin1')),
    chunk('IDAT', z.subarray(0, half)),
    chunk('IDAT', z.subarray(half)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

describe('decodePngMask', () => {
  it('decodes the reference VOC mask exactly as photon does (513x513, classes 0..3)', async () => {
    const png = fixture('bird_segmentation_mask.png');
    const mine = await decodePngMask(png);
    const reference = photonGray(png);
    expect(mine.width).toBe(513);
    expect(mine.height).toBe(513);
    expect(mine.data).toEqual(reference.data);
    expect(new Set(mine.data)).toEqual(new Set([0, 1, 2, 3]));
    expect(mine.data.filter((v) => v === 3).length).toBeGreaterThan(10_000); // the bird
  });

  it('takes a data: URL', async () => {
    const png = fixture('bird_segmentation_mask.png');
    const fromUrl = await decodePngMask(`data:image/png;base64,${Buffer.from(png).toString('base64')}`);
    expect(fromUrl.data).toEqual((await decodePngMask(png)).data);
  });

  it.each([[[0]], [[1]], [[2]], [[3]], [[4]], [[0, 1, 2, 3, 4]], [[4, 3, 2, 1]]])('undoes row filters %j', async (filters) => {
    const width = 37;
    const height = 23;
    // values with runs and jumps, as class maps and gradients have, so every predictor matters
    const pixels = Uint8Array.from({ length: width * height }, (_, i) => ((i % width) * 7 + Math.floor(i / width) * 13 + (i % 5 === 0 ? 200 : 0)) & 0xff);
    const png = encodeGray8(width, height, pixels, filters);
    const decoded = await decodePngMask(png);
    expect(decoded).toEqual({ width, height, data: pixels });
    expect(photonGray(png).data).toEqual(pixels);
  });

  it('a 1x1 image', async () => {
    expect(await decodePngMask(encodeGray8(1, 1, new Uint8Array([15]), [4]))).toEqual({ width: 1, height: 1, data: new Uint8Array([15]) });
  });

  it('refuses colour, 16-bit, non-PNG and corrupt input with CVKitError', async () => {
    await expect(decodePngMask(fixture('cat.png'))).rejects.toThrow(/8-bit grayscale/);
    await expect(decodePngMask(encodeGray8(2, 2, new Uint8Array(4), [0], { depth: 16 }))).rejects.toThrow(/bit depth 16/);
    await expect(decodePngMask(fixture('hot_dog.jpg'))).rejects.toThrow(/Not a PNG/);
    const broken = encodeGray8(8, 8, new Uint8Array(64), [0]);
    broken.fill(0x55, 60, 80); // inside the deflate stream
    await expect(decodePngMask(broken)).rejects.toBeInstanceOf(CVKitError);
    const truncated = encodeGray8(8, 8, new Uint8Array(64), [0]).subarray(0, 50);
    await expect(decodePngMask(truncated)).rejects.toBeInstanceOf(CVKitError);
  });
});

describe('unfilterGray8', () => {
  it('golden: Sub, Up, Average and Paeth on a 3x3 image', () => {
    // row 0 Sub: 10, 10+5, 15+5; row 1 Up: 10+1, 15+1, 20+1
    const raw = new Uint8Array([
      1, 10, 5, 5,
      2, 1, 1, 1,
      3, 0, 0, 0,
    ]);
    // row 2, Average: x0 = 0 + (0 + 11) >> 1 = 5; x1 = 0 + (5 + 16) >> 1 = 10; x2 = 0 + (10 + 21) >> 1 = 15
    expect([...unfilterGray8(raw, 3, 3)]).toEqual([10, 15, 20, 11, 16, 21, 5, 10, 15]);
    // Paeth, row 0 = [10, 15, 20]: x0 predicts b = 10 (253 + 10 wraps to 7); x1: a=7, b=15, c=10, p=12, distances 5, 3, 2 -> c = 10;
    // x2: a=10, b=20, c=15, p=15, distances 5, 5, 0 -> c = 15
    const paeth = new Uint8Array([1, 10, 5, 5, 4, 253, 0, 0]);
    expect([...unfilterGray8(paeth, 3, 2)]).toEqual([10, 15, 20, 7, 10, 15]);
  });
  it('refuses an unknown filter type and short data', () => {
    expect(() => unfilterGray8(new Uint8Array([5, 0]), 1, 1)).toThrow(/filter type 5/);
    expect(() => unfilterGray8(new Uint8Array([0]), 1, 1)).toThrow(/truncated/);
  });
});
