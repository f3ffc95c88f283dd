import { inflateSync } from 'node:zlib';
import { PhotonImage } from '@cf-wasm/photon';
import { describe, expect, it } from 'vitest';
import { toDataUrl } from './data-url';
import { crc32, encodePng, type PngFilter } from './png';

/** Splits a PNG into chunks, checking the signature and every chunk's CRC. */
function chunks(png: Uint8Array) {
  expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: Array<{ type: string; data: Uint8Array }> = [];
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    expect(view.getUint32(at + 8 + length), `${type} CRC`).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    out.push({ type, data });
    at += 12 + length;
  }
  return out;
}

/** An independent reference decoder for the filtered scanlines: node's zlib, then RFC 2083 unfiltering. */
function unfilter(png: Uint8Array, bpp: number) {
  const parts = chunks(png);
  const ihdr = new DataView(parts[0]!.data.buffer, parts[0]!.data.byteOffset);
  const width = ihdr.getUint32(0);
  const height = ihdr.getUint32(4);
  const raw = inflateSync(Buffer.concat(parts.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = width * bpp;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= bpp ? out[y * stride + i - bpp]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = i >= bpp && y > 0 ? out[(y - 1) * stride + i - bpp]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = type === 0 ? 0 : type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >> 1 : paeth;
      out[y * stride + i] = (x + pred) & 0xff;
    }
  }
  return { width, height, pixels: out, types: parts.map((c) => c.type) };
}

function photonDecode(png: Uint8Array) {
  const image = PhotonImage.new_from_byteslice(png);
  try {
    return { width: image.get_width(), height: image.get_height(), rgba: image.get_raw_pixels() };
  } finally {
    image.free();
  }
}

const filters: PngFilter[] = ['none', 'sub', 'up', 'average', 'paeth'];

describe('crc32', () => {
  it('matches the standard check values', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const all = new TextEncoder().encode('123456789');
    expect(crc32(all.subarray(4), crc32(all.subarray(0, 4)))).toBe(0xcbf43926);
  });
});

describe('encodePng', () => {
  const width = 37;
  const height = 23;
  const classes = Uint8Array.from({ length: width * height }, (_, i) => ((i % width) >> 3) + 3 * ((i / width) >> 2));

  it.each(filters)('grayscale class map, filter %s: bytes and decoders agree', async (filter) => {
    const png = await encodePng({ width, height, color: 'gray', data: classes }, { filter });
    const ref = unfilter(png, 1);
    expect(ref).toMatchObject({ width, height, types: ['IHDR', 'IDAT', 'IEND'] });
    expect(ref.pixels).toEqual(classes);
    const decoded = photonDecode(png);
    expect([decoded.width, decoded.height]).toEqual([width, height]);
    for (let i = 0; i < classes.length; i++) if (decoded.rgba[i * 4] !== classes[i]) throw new Error(`pixel ${i}`);
  });

  it.each(filters)('RGBA picture, filter %s', async (filter) => {
    const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 37 + (i >> 5) * 11) & 0xff);
    const png = await encodePng({ width, height, color: 'rgba', data: rgba }, { filter });
    expect(unfilter(png, 4).pixels).toEqual(rgba);
    expect(photonDecode(png).rgba).toEqual(rgba);
  });

  it('indexed with palette and transparency decodes to the palette colours', async () => {
    const palette = Uint8Array.from([0, 0, 0, 128, 0, 0, 0, 128, 0]);
    const data = Uint8Array.from([0, 1, 2, 1, 0, 2]);
    const png = await encodePng({ width: 3, height: 2, color: 'indexed', data, palette, transparency: Uint8Array.from([0, 255, 255]) });
    const ref = unfilter(png, 1);
    expect(ref.types).toEqual(['IHDR', 'PLTE', 'tRNS', 'IDAT', 'IEND']);
    expect(ref.pixels).toEqual(data);
    expect(Array.from(photonDecode(png).rgba)).toEqual([0, 0, 0, 0, 128, 0, 0, 255, 0, 128, 0, 255, 128, 0, 0, 255, 0, 0, 0, 0, 0, 128, 0, 255]);
  });

  it('streams a large image in slices (more than one slice of scanlines)', async () => {
    const w = 1500;
    const h = 700;
    const data = Uint8Array.from({ length: w * h }, (_, i) => (i % w < 700 ? 0 : 15));
    const png = await encodePng({ width: w, height: h, color: 'gray', data });
    expect(png.length).toBeLessThan(10_000); // two flat regions compress to almost nothing
    // Buffer.equals: a deep toEqual over a million elements takes seconds.
    expect(Buffer.from(unfilter(png, 1).pixels).equals(Buffer.from(data))).toBe(true);
  });

  it('rejects sizes that do not match the data and indexed images without a palette', async () => {
    await expect(encodePng({ width: 2, height: 2, color: 'gray', data: new Uint8Array(3) })).rejects.toThrow(/bytes/);
    await expect(encodePng({ width: 0, height: 2, color: 'gray', data: new Uint8Array(0) })).rejects.toThrow(/not valid/);
    await expect(encodePng({ width: 1, height: 1, color: 'indexed', data: new Uint8Array(1) })).rejects.toThrow(/palette/);
  });
});

describe('toDataUrl', () => {
  it('base64-encodes large inputs', () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff);
    const url = toDataUrl(bytes, 'image/png');
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    expect(Buffer.from(url.slice(22), 'base64')).toEqual(Buffer.from(bytes));
  });
});
