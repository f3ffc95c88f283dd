/**
 * PNG and GIF decoding in plain JS (fast-png, omggif). photon traps on a corrupt PNG or GIF after allocating the
 * output, and a trapped wasm call never frees what it allocated: a few hundred corrupt uploads would fill an
 * isolate. A JS decoder that fails just throws, and the garbage collector takes what it allocated.
 */
import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
import { Unzlib } from 'fflate';
import { GifReader } from 'omggif';

export interface Pixels {
  rgba: Uint8Array;
  width: number;
  height: number;
}

const u32 = (b: Uint8Array, i: number) => (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) >>> 0;
/** Samples per pixel by PNG colour type: grey, -, RGB, palette, grey+alpha, -, RGBA. */
const SAMPLES = [1, 0, 3, 1, 2, 0, 4];

/**
 * Refuses a PNG whose image data inflates past what its header's size implies (a "zip bomb": a few hundred kB of
 * deflated zeros can claim gigabytes), by inflating the IDAT chunks as a stream and stopping at the limit, before
 * the decoder allocates anything.
 */
function checkInflatedSize(bytes: Uint8Array) {
  const width = u32(bytes, 16);
  const height = u32(bytes, 20);
  const bitsPerPixel = (bytes[24] ?? 8) * (SAMPLES[bytes[25] ?? 0] || 4);
  // One filter byte per row; Adam7 adds at most 7 passes' worth of filter bytes and partial-byte rows.
  const limit = (Math.ceil((width * bitsPerPixel) / 8) + 1) * height + 8 * (height + 8) * Math.ceil(bitsPerPixel / 8);
  let total = 0;
  const inflater = new Unzlib((chunk) => {
    total += chunk.length;
    if (total > limit) throw new Error('PNG image data inflates past its declared size');
  });
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = u32(bytes, at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'IDAT') inflater.push(bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length)));
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

/** A GIF's first frame as RGBA over the logical screen (transparent where the frame does not cover it). */
export function decodeGifRGBA(bytes: Uint8Array): Pixels {
  const gif = new GifReader(bytes);
  // omggif sizes its buffer from the frame's own descriptor: a frame larger than the (checked) canvas is refused.
  const frame = gif.frameInfo(0);
  if (frame.x + frame.width > gif.width || frame.y + frame.height > gif.height) throw new Error('GIF frame outside its canvas');
  const rgba = new Uint8Array(gif.width * gif.height * 4);
  gif.decodeAndBlitFrameRGBA(0, rgba);
  return { rgba, width: gif.width, height: gif.height };
}
