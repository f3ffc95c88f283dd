/** The row-streaming PNG decoder against fast-png (the whole-frame decoder it replaces) and against what was encoded. */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encode as fastPngEncode } from 'fast-png';
import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { concatBytes } from './bytes';
import { decodePngRGBA } from './js-decoders';
import { encodePng, type PngFilter, pngChunk } from './png';
import { decodePngRows } from './png-rows';

const dir = resolve(import.meta.dirname, '../../../../../shared/fixtures/images');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.png'));

/** Every row, copied into one frame. */
async function decodeAll(bytes: Uint8Array) {
  const rows: Uint8Array[] = [];
  const info = await decodePngRows(bytes, (y, rgba) => {
    expect(y).toBe(rows.length);
    rows.push(rgba.slice());
  });
  if (info === 'interlaced') throw new Error('interlaced');
  return { width: info.width, height: info.height, rgba: concatBytes(rows) };
}
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const signature = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);
const ihdr = (w: number, h: number, depth: number, color: number, interlace = 0) => {
  const d = new Uint8Array(13);
  new DataView(d.buffer).setUint32(0, w);
  new DataView(d.buffer).setUint32(4, h);
  d.set([depth, color, 0, 0, interlace], 8);
  return pngChunk('IHDR', d);
};
const png = (...chunks: Uint8Array[]) => concatBytes([signature, ...chunks, pngChunk('IEND', new Uint8Array(0))]);

describe('decodePngRows', () => {
  it.each(fixtures)('%s: the same RGBA as fast-png', async (file) => {
    const bytes = new Uint8Array(readFileSync(resolve(dir, file)));
    const ours = await decodeAll(bytes);
    const ref = decodePngRGBA(bytes);
    expect([ours.width, ours.height]).toEqual([ref.width, ref.height]);
    expect(same(ours.rgba, ref.rgba)).toBe(true);
  });

  it.each(['none', 'sub', 'up', 'average', 'paeth'] as PngFilter[])('undoes filter %s (RGBA, grey and indexed)', async (filter) => {
    const width = 41;
    const height = 17;
    const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 37 + (i >> 5) * 11) & 0xff);
    expect(same((await decodeAll(await encodePng({ width, height, color: 'rgba', data: rgba }, { filter }))).rgba, rgba)).toBe(true);
    const grey = Uint8Array.from({ length: width * height }, (_, i) => (i * 13) & 0xff);
    const g = (await decodeAll(await encodePng({ width, height, color: 'gray', data: grey }, { filter }))).rgba;
    for (let p = 0; p < grey.length; p++) if (g[p * 4] !== grey[p] || g[p * 4 + 2] !== grey[p] || g[p * 4 + 3] !== 255) throw new Error(`grey pixel ${p}`);
    const palette = Uint8Array.from([0, 0, 0, 200, 10, 20, 5, 6, 7]);
    const indexed = await decodeAll(await encodePng({ width: 3, height: 1, color: 'indexed', data: Uint8Array.from([2, 1, 0]), palette, transparency: Uint8Array.from([0, 128]) }, { filter }));
    expect(Array.from(indexed.rgba)).toEqual([5, 6, 7, 255, 200, 10, 20, 128, 0, 0, 0, 0]);
  });

  it('a zlib stream that is not one, or ends before the last row, is refused', async () => {
    await expect(decodeAll(png(ihdr(2, 1, 8, 2), pngChunk('IDAT', Uint8Array.from([1, 2, 3, 4, 5]))))).rejects.toThrow(/not a valid zlib stream|ends early/);
    const rows = Uint8Array.from({ length: 2 * 7 }, (_, i) => (i % 7 === 0 ? 0 : (i * 97) & 255));
    const whole = zlibSync(rows, { level: 0 }); // stored: every byte of output needs its byte of input
    await expect(decodeAll(png(ihdr(2, 2, 8, 2), pngChunk('IDAT', whole.subarray(0, whole.length - 10))))).rejects.toThrow(/ends early|not a valid/);
    expect(Array.from((await decodeAll(png(ihdr(2, 2, 8, 2), pngChunk('IDAT', whole)))).rgba).slice(0, 4)).toEqual([97, 194, 35, 255]);
  });

  it('16-bit RGBA and grey+alpha keep the high byte; packed 2-bit grey is stretched', async () => {
    const data16 = Uint16Array.from({ length: 3 * 2 * 4 }, (_, i) => i * 2731);
    const rgba16 = await decodeAll(fastPngEncode({ width: 3, height: 2, data: data16, depth: 16, channels: 4 }));
    expect(Array.from(rgba16.rgba)).toEqual(Array.from(data16, (v) => v >> 8));
    const ga = await decodeAll(fastPngEncode({ width: 2, height: 1, data: Uint8Array.from([10, 20, 30, 40]), depth: 8, channels: 2 }));
    expect(Array.from(ga.rgba)).toEqual([10, 10, 10, 20, 30, 30, 30, 40]);
    // 5 pixels of 2 bits: 0 1 2 3 | 1, filter byte 0 before the row
    const raw = Uint8Array.from([0, 0b00011011, 0b01000000]);
    const two = await decodeAll(png(ihdr(5, 1, 2, 0), pngChunk('IDAT', zlibSync(raw))));
    expect(Array.from(two.rgba).filter((_, i) => i % 4 === 0)).toEqual([0, 85, 170, 255, 85]);
  });

  it('says an interlaced file is interlaced without decoding it', async () => {
    expect(await decodePngRows(png(ihdr(4, 4, 8, 2, 1), pngChunk('IDAT', zlibSync(new Uint8Array(100)))), () => {})).toBe('interlaced');
  });

  it('refuses data that inflates past the header, ends early, fails its CRC, or uses a bad filter', async () => {
    const bomb = png(ihdr(1, 1, 8, 2), pngChunk('IDAT', zlibSync(new Uint8Array(16 << 20))));
    await expect(decodePngRows(bomb, () => {})).rejects.toThrow(/past its declared size/);
    await expect(decodeAll(png(ihdr(4, 4, 8, 2), pngChunk('IDAT', zlibSync(new Uint8Array(13 * 3)))))).rejects.toThrow(/ends early/);
    const good = png(ihdr(2, 1, 8, 2), pngChunk('IDAT', zlibSync(new Uint8Array(7))));
    const flipped = good.slice();
    flipped[good.length - 14] = (flipped[good.length - 14] as number) ^ 1; // inside the IDAT's CRC
    await expect(decodeAll(flipped)).rejects.toThrow(/CRC/);
    await expect(decodeAll(png(ihdr(2, 1, 8, 2), pngChunk('IDAT', zlibSync(Uint8Array.from([9, 0, 0, 0, 0, 0, 0])))))).rejects.toThrow(/filter type 9/);
    await expect(decodeAll(png(ihdr(2, 1, 3, 2), pngChunk('IDAT', zlibSync(new Uint8Array(7)))))).rejects.toThrow(/colour type 2 with 3-bit/);
  });
});
