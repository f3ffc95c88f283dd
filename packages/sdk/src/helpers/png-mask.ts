/**
 * A tiny PNG decoder for the segmentation class map (`mask: "png"`): single-channel, 8-bit, non-interlaced PNGs,
 * whose pixel values are class indices. It inflates with the platform's `DecompressionStream('deflate')` (browsers,
 * Workers, Deno, Bun, Node 18+), so it adds no dependency and no wasm; anything else (colour, palette, 16-bit,
 * interlaced) is refused with a clear error rather than decoded wrongly.
 */
import { CVKitError } from '../errors';
import { dataUrlToBytes } from './data-url';

/** Per-pixel class indices, row by row: the class of pixel (x, y) is `data[y * width + x]`. */
export interface ClassMap {
  width: number;
  height: number;
  data: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

async function inflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new CVKitError(`The PNG's image data does not inflate: ${err instanceof Error ? err.message : String(err)}.`);
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Reverses PNG's per-row filters (types 0-4) for one byte per pixel, in place into a fresh buffer. */
export function unfilterGray8(raw: Uint8Array, width: number, height: number): Uint8Array {
  if (raw.length < height * (width + 1)) {
    throw new CVKitError(`The PNG's image data is truncated: ${raw.length} bytes for ${width}x${height}.`);
  }
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)];
    const src = y * (width + 1) + 1;
    const row = y * width;
    const up = row - width;
    for (let x = 0; x < width; x++) {
      const value = raw[src + x] as number;
      const a = x > 0 ? (out[row + x - 1] as number) : 0;
      const b = y > 0 ? (out[up + x] as number) : 0;
      const c = x > 0 && y > 0 ? (out[up + x - 1] as number) : 0;
      let predicted: number;
      switch (filter) {
        case 0: predicted = 0; break;
        case 1: predicted = a; break;
        case 2: predicted = b; break;
        case 3: predicted = (a + b) >> 1; break;
        case 4: predicted = paeth(a, b, c); break;
        default: throw new CVKitError(`The PNG uses an unknown row filter type ${String(filter)} (row ${y}).`);
      }
      out[row + x] = (value + predicted) & 0xff;
    }
  }
  return out;
}

/**
 * Decodes a single-channel 8-bit PNG (bytes or a `data:image/png;base64,...` URL) into its pixel values.
 *
 * @example
 * const { width, height, data } = await decodePngMask(pngBytesOrDataUrl);
 * const classAt = (x: number, y: number) => data[y * width + x];
 */
export async function decodePngMask(png: Uint8Array | string): Promise<ClassMap> {
  const bytes = typeof png === 'string' ? dataUrlToBytes(png).bytes : png;
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new CVKitError('Not a PNG (wrong signature).');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  let idatSize = 0;
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (data.length < length) throw new CVKitError(`The PNG is truncated inside its ${type} chunk.`);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const [depth, colour, , , interlace] = data.subarray(8, 13);
      if (depth !== 8 || colour !== 0 || interlace !== 0) {
        throw new CVKitError(
          `Only 8-bit grayscale, non-interlaced PNGs are class maps; this one has bit depth ${depth}, colour type ${colour}, interlace ${interlace}.`,
        );
      }
    } else if (type === 'IDAT') {
      idat.push(data);
      idatSize += data.length;
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  if (width === 0 || height === 0) throw new CVKitError('The PNG has no IHDR chunk or an empty size.');
  if (idat.length === 0) throw new CVKitError('The PNG has no image data (IDAT).');
  const joined = new Uint8Array(idatSize);
  let offset = 0;
  for (const part of idat) {
    joined.set(part, offset);
    offset += part.length;
  }
  return { width, height, data: unfilterGray8(await inflate(joined), width, height) };
}
