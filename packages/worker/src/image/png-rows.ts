/**
 * PNG decoding row by row: the IDAT stream is inflated by the platform's native zlib (DecompressionStream, in
 * workerd, browsers and Node 18+: 2-3x faster than fflate's JS inflate on the same photo) in small steps, and each
 * scanline is unfiltered and handed out as 8-bit RGBA as soon as it is complete. Only two scanlines and the
 * inflater's buffers are held, never the whole inflated image or its RGBA frame, so a caller can shrink a 4K
 * screenshot on the fly (decode.ts) or feed rows to a resampler.
 *
 * The decompression-bomb defence is the header: a non-interlaced PNG inflates to exactly (stride + 1) * height
 * bytes, each step of INFLATE_STEP_BYTES can produce at most ~1032 times its size, and inflation stops as soon as
 * the output passes what the header implies. Chunk CRCs are checked, as the decoder this replaced did.
 *
 * Interlaced (Adam7) files are not streamed: `decodePngRows` says so and the caller uses the whole-frame decoder.
 */
import { u32be } from './bytes';
import { crc32 } from './png';

/** Compressed bytes written per inflate step: bounds what one step can produce to about 8 MiB. */
const INFLATE_STEP_BYTES = 8 * 1024;

/** Samples per pixel by PNG colour type: grey, -, RGB, palette, grey+alpha, -, RGBA. */
const SAMPLES = [1, 0, 3, 1, 2, 0, 4];

export interface PngInfo {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlaced: boolean;
}

class CorruptPng extends Error {}
const corrupt = (why: string): never => {
  throw new CorruptPng(`corrupt PNG: ${why}`);
};

/** The header of a PNG (IHDR), checked for a colour type and bit depth PNG allows. */
export function readPngInfo(bytes: Uint8Array): PngInfo {
  if (bytes.length < 33 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') corrupt('no IHDR');
  const info = { width: u32be(bytes, 16), height: u32be(bytes, 20), depth: bytes[24] as number, colorType: bytes[25] as number, interlaced: bytes[28] === 1 };
  const depths: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
  if (!depths[info.colorType]?.includes(info.depth)) corrupt(`colour type ${info.colorType} with ${info.depth}-bit samples`);
  if (info.width < 1 || info.height < 1) corrupt('empty image');
  return info;
}

/** Reverses one scanline's filter in place; `prev` is the previous unfiltered line (zeros above the first). */
function unfilter(type: number, line: Uint8Array, prev: Uint8Array, bpp: number) {
  const n = line.length;
  switch (type) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < n; i++) line[i] = ((line[i] as number) + (line[i - bpp] as number)) & 255;
      return;
    case 2:
      for (let i = 0; i < n; i++) line[i] = ((line[i] as number) + (prev[i] as number)) & 255;
      return;
    case 3:
      for (let i = 0; i < bpp; i++) line[i] = ((line[i] as number) + ((prev[i] as number) >> 1)) & 255;
      for (let i = bpp; i < n; i++) line[i] = ((line[i] as number) + (((line[i - bpp] as number) + (prev[i] as number)) >> 1)) & 255;
      return;
    case 4:
      for (let i = 0; i < bpp; i++) line[i] = ((line[i] as number) + (prev[i] as number)) & 255;
      for (let i = bpp; i < n; i++) {
        const a = line[i - bpp] as number;
        const b = prev[i] as number;
        const c = prev[i - bpp] as number;
        const p = a + b - c;
        const pa = p > a ? p - a : a - p;
        const pb = p > b ? p - b : b - p;
        const pc = p > c ? p - c : c - p;
        line[i] = ((line[i] as number) + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
      }
      return;
    default:
      corrupt(`filter type ${type}`);
  }
}

/** Writes one unfiltered scanline as RGBA: 16-bit keeps the high byte, 1/2/4-bit grey is stretched to 0..255. */
function toRGBA(info: PngInfo, line: Uint8Array, palette: Uint8Array, alpha: Uint8Array | undefined, out: Uint8Array) {
  const { width, depth, colorType } = info;
  const step = depth === 16 ? 2 : 1;
  if (colorType === 2 || colorType === 6) {
    const channels = colorType === 6 ? 4 : 3;
    for (let x = 0, s = 0, o = 0; x < width; x++, s += channels * step, o += 4) {
      out[o] = line[s] as number;
      out[o + 1] = line[s + step] as number;
      out[o + 2] = line[s + 2 * step] as number;
      out[o + 3] = channels === 4 ? (line[s + 3 * step] as number) : 255;
    }
    return;
  }
  if (colorType === 4 || (colorType === 0 && depth >= 8)) {
    const channels = colorType === 4 ? 2 : 1;
    for (let x = 0, s = 0, o = 0; x < width; x++, s += channels * step, o += 4) {
      const v = line[s] as number;
      out[o] = out[o + 1] = out[o + 2] = v;
      out[o + 3] = channels === 2 ? (line[s + step] as number) : 255;
    }
    return;
  }
  // Packed samples: grey or palette indices of 1, 2, 4 or 8 bits, high bits first.
  const max = (1 << depth) - 1;
  const perByte = 8 / depth;
  const colours = palette.length / 3;
  for (let x = 0, o = 0; x < width; x++, o += 4) {
    const byte = line[(x / perByte) | 0] as number;
    const v = (byte >> (8 - depth * ((x % perByte) + 1))) & max;
    if (colorType === 0) {
      out[o] = out[o + 1] = out[o + 2] = Math.round((v * 255) / max);
      out[o + 3] = 255;
    } else if (v < colours) {
      out[o] = palette[v * 3] as number;
      out[o + 1] = palette[v * 3 + 1] as number;
      out[o + 2] = palette[v * 3 + 2] as number;
      out[o + 3] = alpha && v < alpha.length ? (alpha[v] as number) : 255;
    } else {
      corrupt(`palette index ${v} of ${colours}`);
    }
  }
}

/**
 * Decodes a non-interlaced PNG, calling `onRow(y, rgba)` for y = 0 .. height-1 (`rgba` is reused: copy what you
 * keep). Returns 'interlaced' without decoding for an Adam7 file. Throws on anything corrupt or bomb-like.
 */
export async function decodePngRows(bytes: Uint8Array, onRow: (y: number, rgba: Uint8Array) => void): Promise<PngInfo | 'interlaced'> {
  const info = readPngInfo(bytes);
  if (info.interlaced) return 'interlaced';
  const { width, height, depth, colorType } = info;
  const bitsPerPixel = depth * (SAMPLES[colorType] as number);
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const expected = (stride + 1) * height;
  let palette: Uint8Array = new Uint8Array(0);
  let alpha: Uint8Array | undefined;
  const idat: Uint8Array[] = [];

  // A file cut after its image data (no IEND) still decodes, as it did before; one cut inside it does not.
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = u32be(bytes, at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const end = at + 8 + length;
    if (end + 4 > bytes.length) corrupt('truncated chunk');
    if (crc32(bytes.subarray(at + 4, end)) !== u32be(bytes, end)) corrupt(`${type} CRC`);
    const data = bytes.subarray(at + 8, end);
    if (type === 'PLTE') palette = data;
    else if (type === 'tRNS' && colorType === 3) alpha = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at = end + 4;
  }
  if (idat.length === 0) corrupt('no image data');

  let line = new Uint8Array(stride + 1);
  let prev = new Uint8Array(stride + 1);
  const rgba = new Uint8Array(width * 4);
  let fill = 0;
  let y = 0;
  let inflated = 0;
  const take = (chunk: Uint8Array) => {
    inflated += chunk.length;
    if (inflated > expected) corrupt('image data inflates past its declared size');
    for (let at = 0; at < chunk.length; ) {
      const n = Math.min(chunk.length - at, stride + 1 - fill);
      line.set(chunk.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === stride + 1) {
        const body = line.subarray(1);
        unfilter(line[0] as number, body, prev.subarray(1), bpp);
        toRGBA(info, body, palette, alpha, rgba);
        onRow(y++, rgba);
        [line, prev] = [prev, line];
        fill = 0;
      }
    }
  };

  const zlib = new DecompressionStream('deflate');
  const writer = zlib.writable.getWriter();
  const reader = zlib.readable.getReader();
  // The compressed data goes in step by step while its output is read: a step that would take the output past
  // `expected` stops everything before the next step is written.
  const feeding = (async () => {
    for (const piece of idat) {
      for (let at = 0; at < piece.length; at += INFLATE_STEP_BYTES) await writer.write(piece.subarray(at, at + INFLATE_STEP_BYTES) as Uint8Array<ArrayBuffer>);
    }
    await writer.close();
  })();
  feeding.catch(() => {}); // its failure (a corrupt stream, or ours cancelling it) is read below
  try {
    while (y < height) {
      const { done, value } = await reader.read();
      if (done) break;
      take(value);
    }
  } catch (err) {
    if (err instanceof CorruptPng) throw err;
    if (y < height) corrupt('image data is not a valid zlib stream');
  } finally {
    // Done or failed: what is left (the checksum, or the rest of a refused stream) is never inflated.
    await reader.cancel().catch(() => {});
    await writer.abort().catch(() => {});
  }
  if (y < height) corrupt('image data ends early');
  return info;
}
