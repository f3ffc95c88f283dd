/**
 * PNG, GIF and BMP decoding in plain JS (fast-png, omggif, and a BMP reader here). photon traps on a corrupt file
 * after allocating the output, and a trapped wasm call never frees what it allocated: a few hundred corrupt
 * uploads would fill an isolate. A JS decoder that fails just throws, and the garbage collector takes the rest.
 */
import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
import { GifReader } from 'omggif';
import { u16le, u32be, u32le } from './bytes';
import { zlibFitsWithin } from './inflate-bound';

export interface Pixels {
  rgba: Uint8Array;
  width: number;
  height: number;
}

/** Samples per pixel by PNG colour type: grey, -, RGB, palette, grey+alpha, -, RGBA. */
const SAMPLES = [1, 0, 3, 1, 2, 0, 4];

/**
 * Refuses a PNG whose image data inflates past what its header's size implies (a "zip bomb": a few hundred kB of
 * deflated zeros can claim gigabytes), by inflating the IDAT chunks in small steps and stopping at the limit
 * (inflate-bound.ts), before the decoder allocates anything.
 */
function checkInflatedSize(bytes: Uint8Array) {
  const width = u32be(bytes, 16);
  const height = u32be(bytes, 20);
  const bitsPerPixel = (bytes[24] ?? 8) * (SAMPLES[bytes[25] ?? 0] || 4);
  // One filter byte per row; Adam7 adds at most 7 passes' worth of filter bytes and partial-byte rows.
  const limit = (Math.ceil((width * bitsPerPixel) / 8) + 1) * height + 8 * (height + 8) * Math.ceil(bitsPerPixel / 8);
  if (!zlibFitsWithin(idatChunks(bytes), limit)) throw new Error('PNG image data inflates past its declared size');
}

/** The data of every IDAT chunk, in order. */
function* idatChunks(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = u32be(bytes, at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'IDAT') yield bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length));
    if (type === 'IEND') break;
    at += 12 + length;
  }
}

/** Any PNG (1-16 bit, grey, grey+alpha, RGB, RGBA, palette, interlaced) as 8-bit RGBA. */
export function decodePngRGBA(bytes: Uint8Array): Pixels {
  checkInflatedSize(bytes);
  const png = decodePng(bytes, { checkCrc: true });
  const { width, height } = png;
  const n = width * height;
  const rgba = new Uint8Array(n * 4);
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    const channels = rgb.length / n; // 3, or 4 with a tRNS chunk
    for (let p = 0; p < n; p++) {
      rgba[p * 4] = rgb[p * channels] as number;
      rgba[p * 4 + 1] = rgb[p * channels + 1] as number;
      rgba[p * 4 + 2] = rgb[p * channels + 2] as number;
      rgba[p * 4 + 3] = channels === 4 ? (rgb[p * channels + 3] as number) : 255;
    }
    return { rgba, width, height };
  }
  const { data, channels, depth } = png;
  // samples to 0..255: 16-bit keeps the high byte, 1/2/4-bit grey is stretched
  const max = 2 ** depth - 1;
  const to8 = depth === 16 ? (v: number) => v >> 8 : depth === 8 ? (v: number) => v : (v: number) => Math.round((v * 255) / max);
  for (let p = 0; p < n; p++) {
    const s = p * channels;
    const grey = channels <= 2;
    const r = to8(data[s] as number);
    rgba[p * 4] = r;
    rgba[p * 4 + 1] = grey ? r : to8(data[s + 1] as number);
    rgba[p * 4 + 2] = grey ? r : to8(data[s + 2] as number);
    rgba[p * 4 + 3] = channels === 2 ? to8(data[s + 1] as number) : channels === 4 ? to8(data[s + 3] as number) : 255;
  }
  return { rgba, width, height };
}

/**
 * The GIF cut after its first frame. omggif indexes every frame of a file up front, an object each: a 10 MB GIF of
 * tiny frames would be hundreds of thousands of them, so it only ever sees the frame we decode. Its LZW decoder
 * writes into a buffer of the frame's (checked) size and stops there.
 */
export function gifFirstFrame(b: Uint8Array): Uint8Array {
  const table = (flags: number) => ((flags & 0x80) !== 0 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  const skipSubBlocks = (at: number) => {
    while (at < b.length && b[at] !== 0) at += 1 + (b[at] as number);
    return at + 1;
  };
  let cut = 0;
  // Walk every block (cheaply, nothing kept) so that a file corrupt after its first frame is still refused.
  for (let at = 13 + table(b[10] ?? 0); at < b.length; ) {
    const block = b[at];
    if (block === 0x3b) {
      if (!cut) break;
      const first = new Uint8Array(cut + 1);
      first.set(b.subarray(0, cut));
      first[cut] = 0x3b; // trailer
      return first;
    }
    if (block === 0x21) {
      at = skipSubBlocks(at + 2); // extension: introducer, label, sub-blocks
    } else if (block === 0x2c) {
      const lzw = at + 10 + table(b[at + 9] ?? 0); // descriptor, local colour table, then the LZW code size
      if (!cut) checkGifLzw(b, lzw, u16le(b, at + 5) * u16le(b, at + 7));
      at = skipSubBlocks(lzw + 1);
      cut ||= at;
    } else {
      break;
    }
  }
  throw new Error('corrupt GIF');
}

/**
 * Walks a GIF frame's LZW codes exactly as omggif's decoder will (same bit reading, same code-size growth) and
 * refuses a code that refers past the table built so far. omggif follows such a code into stale table entries,
 * where a corrupt file can make a cycle: its decoder then loops forever and hangs the isolate (found by fuzzing).
 * With every code in range, each table entry points to a lower one and every chain ends.
 */
function checkGifLzw(b: Uint8Array, p: number, pixels: number) {
  const minCodeSize = b[p++] ?? 0;
  if (minCodeSize < 1 || minCodeSize > 8) throw new Error('corrupt GIF: LZW code size');
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  let next = eoi + 1;
  let size = minCodeSize + 1;
  let mask = (1 << size) - 1;
  let shift = 0;
  let cur = 0;
  let prev = -1;
  let out = 0;
  // past the end omggif reads `undefined`: as data it counts 0, as a sub-block size it is never 0 or 1
  let sub = b[p++] ?? Number.NaN;
  while (out <= pixels) {
    while (shift < 16) {
      if (sub === 0) break;
      cur |= (b[p++] ?? 0) << shift;
      shift += 8;
      if (sub === 1) sub = b[p++] ?? Number.NaN;
      else --sub;
    }
    if (shift < size) return;
    const code = cur & mask;
    cur >>= size;
    shift -= size;
    if (code === clear) {
      next = eoi + 1;
      size = minCodeSize + 1;
      mask = (1 << size) - 1;
      prev = -1;
      continue;
    }
    if (code === eoi) return;
    if (code > next || (code === next && prev < 0)) throw new Error('corrupt GIF: LZW code out of range');
    out++;
    if (prev >= 0 && next < 4096) {
      next++;
      if (next >= mask + 1 && size < 12) {
        size++;
        mask = (mask << 1) | 1;
      }
    }
    prev = code;
  }
}

/** A GIF's first frame as RGBA over the logical screen (transparent where the frame does not cover it). */
export function decodeGifRGBA(bytes: Uint8Array): Pixels {
  const gif = new GifReader(gifFirstFrame(bytes));
  // omggif sizes its buffer from the frame's own descriptor: a frame larger than the (checked) canvas is refused.
  const frame = gif.frameInfo(0);
  if (frame.x + frame.width > gif.width || frame.y + frame.height > gif.height) throw new Error('GIF frame outside its canvas');
  const rgba = new Uint8Array(gif.width * gif.height * 4);
  gif.decodeAndBlitFrameRGBA(0, rgba);
  return { rgba, width: gif.width, height: gif.height };
}

/** The shift and width of a BI_BITFIELDS channel mask, to scale its value to 0..255. */
function maskShift(mask: number): [number, number] {
  if (mask === 0) return [0, 0];
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  // bounded: JS shifts count mod 32, so an all-ones mask would wrap around and never end
  while (shift + bits < 32 && ((mask >>> (shift + bits)) & 1) === 1) bits++;
  return [shift, Math.min(bits, 30)]; // (1 << 31) - 1 overflows: 30 bits is more precision than 8-bit output needs
}

/**
 * A BMP as RGBA: 1/4/8-bit palette (plain, RLE4, RLE8), 16/32-bit bit fields, 24/32-bit RGB; bottom-up or top-down.
 * Anything else (JPEG/PNG-in-BMP, OS/2 headers) is refused.
 */
export function decodeBmpRGBA(b: Uint8Array): Pixels {
  const dataAt = u32le(b, 10);
  const headerSize = u32le(b, 14);
  if (headerSize < 40) throw new Error('unsupported BMP header');
  const width = u32le(b, 18) | 0;
  const rawHeight = u32le(b, 22) | 0;
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  const bpp = u16le(b, 28);
  const compression = u32le(b, 30);
  if (width <= 0 || height <= 0) throw new Error('bad BMP size');
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new Error('unsupported BMP depth');
  const rgba = new Uint8Array(width * height * 4);
  const put = (x: number, y: number, r: number, g: number, bl: number, a = 255) => {
    if (x < 0 || x >= width || y < 0 || y >= height) return;
    const row = topDown ? y : height - 1 - y;
    const p = (row * width + x) * 4;
    rgba[p] = r;
    rgba[p + 1] = g;
    rgba[p + 2] = bl;
    rgba[p + 3] = a;
  };
  const paletteAt = 14 + headerSize;
  const paletteSize = u32le(b, 46) || (bpp <= 8 ? 1 << bpp : 0);
  const color = (i: number) => {
    if (i >= paletteSize) throw new Error('BMP palette index out of range');
    const at = paletteAt + i * 4;
    return [b[at + 2] ?? 0, b[at + 1] ?? 0, b[at] ?? 0] as const;
  };

  if (compression === 1 || compression === 2) {
    // RLE8 / RLE4, bottom-up: (count, value) runs; count 0 escapes to end of line / bitmap / delta / literals.
    const four = compression === 2;
    let x = 0;
    let y = 0;
    let i = dataAt;
    while (i + 1 < b.length && y < height) {
      const count = b[i] as number;
      const value = b[i + 1] as number;
      i += 2;
      if (count > 0) {
        for (let k = 0; k < count; k++) put(x++, y, ...color(four ? (k % 2 ? value & 15 : value >> 4) : value));
      } else if (value === 0) {
        x = 0;
        y++;
      } else if (value === 1) {
        break;
      } else if (value === 2) {
        x += b[i] ?? 0;
        y += b[i + 1] ?? 0;
        i += 2;
      } else {
        const bytes = four ? Math.ceil(value / 2) : value;
        for (let k = 0; k < value; k++) {
          const byte = b[i + (four ? k >> 1 : k)] ?? 0;
          put(x++, y, ...color(four ? (k % 2 ? byte & 15 : byte >> 4) : byte));
        }
        i += bytes + (bytes % 2);
      }
    }
    return { rgba, width, height };
  }

  if (compression !== 0 && compression !== 3) throw new Error('unsupported BMP compression');
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataAt + stride * height > b.length) throw new Error('truncated BMP');
  const masks = compression === 3 ? [u32le(b, 54), u32le(b, 58), u32le(b, 62), headerSize >= 56 ? u32le(b, 66) : 0] : bpp === 16 ? [0x7c00, 0x3e0, 0x1f, 0] : [0xff0000, 0xff00, 0xff, 0];
  const fields = masks.map(maskShift);
  const field = (v: number, c: number) => {
    const [shift, bits] = fields[c] as [number, number];
    return bits === 0 ? 255 : Math.round((((v >>> shift) & ((1 << bits) - 1)) * 255) / ((1 << bits) - 1));
  };
  for (let y = 0; y < height; y++) {
    const row = dataAt + y * stride;
    for (let x = 0; x < width; x++) {
      if (bpp <= 8) {
        const bit = x * bpp;
        const index = ((b[row + (bit >> 3)] as number) >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        put(x, y, ...color(index));
      } else if (bpp === 24) {
        const p = row + x * 3;
        put(x, y, b[p + 2] as number, b[p + 1] as number, b[p] as number);
      } else if (bpp === 16 || bpp === 32) {
        const v = bpp === 16 ? u16le(b, row + x * 2) : u32le(b, row + x * 4);
        put(x, y, field(v, 0), field(v, 1), field(v, 2), compression === 3 && masks[3] ? field(v, 3) : 255);
      } else {
        throw new Error('unsupported BMP depth');
      }
    }
  }
  return { rgba, width, height };
}
