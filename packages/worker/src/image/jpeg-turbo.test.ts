import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseEighths, createJpegDecoder, scaledSize } from './jpeg-turbo';

const module = new WebAssembly.Module(readFileSync(createRequire(import.meta.url).resolve('@cwasm/jpeg-turbo/jpeg-turbo.wasm')));
const hotDog = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../../../../shared/fixtures/images/hot_dog.jpg')));

describe('chooseEighths', () => {
  it('picks the smallest DCT scale that still covers the target', () => {
    expect(chooseEighths(1024, 768, 224, 224)).toBe(3); // 384x288; 2/8 would be 256x192
    expect(chooseEighths(4000, 3000, 224, 224)).toBe(1); // 500x375
    expect(chooseEighths(1352, 900, 416, 416)).toBe(4); // 676x450
    expect(chooseEighths(512, 384, 224, 224)).toBe(5); // 320x240
  });
  it('falls back to full size when the image is smaller than the target', () => {
    expect(chooseEighths(200, 100, 224, 224)).toBe(8);
  });
  it('rounds scaled sizes up, as libjpeg does', () => {
    expect(scaledSize(1352, 1)).toBe(169);
    expect(scaledSize(900, 3)).toBe(338);
  });
});

describe('createJpegDecoder', () => {
  const decoder = createJpegDecoder(module);
  const size = { width: 512, height: 384 };
  it('decodes a real JPEG at 1/2 scale', () => {
    const out = decoder.decode(hotDog, 4, size);
    if (typeof out === 'string') throw new Error(out);
    expect([out.width, out.height, out.rgba.length]).toEqual([256, 192, 256 * 192 * 4]);
    // a photo, not a blank: nearly every byte value occurs
    expect(new Set(out.rgba).size).toBeGreaterThan(200);
  });
  it("answers 'corrupt' on a broken JPEG and keeps working after it", () => {
    expect(decoder.decode(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3, 4]), 2, size)).toBe('corrupt');
    const broken = hotDog.slice();
    broken.fill(0, 20, 600); // wipe the quantisation and Huffman tables
    expect(decoder.decode(broken, 2, size)).toBe('corrupt');
    expect(decoder.decode(hotDog, 8, size)).toMatchObject({ width: 512 });
  });
  it("answers 'corrupt' when the frame is not the size the caller checked", () => {
    expect(decoder.decode(hotDog, 8, { width: 8, height: 8 })).toBe('corrupt');
  });
});
