/**
 * Recognises image containers from their first bytes and reads their pixel dimensions from the header, without
 * decoding. Photon traps (and leaks what it allocated) on garbage or truncated files, so nothing reaches the
 * decoder before this check says the container is one we support, complete, and of a sane size.
 */
import { u16be, u16le, u32be, u32le } from './bytes';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  /** Progressive JPEG: libjpeg must hold every DCT coefficient, whatever the output scale. */
  progressive?: boolean;
  /** Progressive JPEG: bytes of the coefficient buffer libjpeg allocates for it (2 per sample, padded to MCUs). */
  coefficientBytes?: number;
}

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, at: number, s: string) => startsWith(b, [...s].map((c) => c.charCodeAt(0)), at);

/** The container format, from magic bytes; undefined when it is not one we decode. */
export function sniffFormat(b: Uint8Array): ImageFormat | undefined {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'webp';
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return 'gif';
  if (ascii(b, 0, 'BM')) return 'bmp';
  return undefined;
}

/** Names of formats people send that we recognise but do not decode, for a helpful 415. */
export function sniffUnsupported(b: Uint8Array): string | undefined {
  if (ascii(b, 4, 'ftyp')) {
    const brand = String.fromCharCode(...b.subarray(8, 12));
    if (/^(avif|avis)$/.test(brand)) return 'AVIF';
    if (/^(heic|heix|hevc|mif1|msf1)$/.test(brand)) return 'HEIC';
  }
  if (ascii(b, 0, '<svg') || ascii(b, 0, '<?xml')) return 'SVG';
  if (ascii(b, 0, '%PDF')) return 'PDF';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF';
  if (startsWith(b, [0xff, 0x0a]) || startsWith(b, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'JPEG XL';
  return undefined;
}

const u24le = (b: Uint8Array, i: number) => u16le(b, i) | ((b[i + 2] ?? 0) << 16);

/**
 * The DCT coefficient buffer libjpeg keeps for a whole progressive frame: 64 two-byte coefficients per 8x8 block
 * of every component, the frame padded to whole MCUs. Read from the SOF segment at `sof`.
 */
function coefficientBytes(b: Uint8Array, sof: number, width: number, height: number): number {
  const count = b[sof + 9] ?? 0;
  const factors: Array<[number, number]> = [];
  for (let k = 0; k < count; k++) {
    const hv = b[sof + 11 + 3 * k] ?? 0x11;
    factors.push([Math.max(1, hv >> 4), Math.max(1, hv & 15)]);
  }
  const hMax = Math.max(1, ...factors.map(([h]) => h));
  const vMax = Math.max(1, ...factors.map(([, v]) => v));
  const mcus = Math.ceil(width / (8 * hMax)) * Math.ceil(height / (8 * vMax));
  return factors.reduce((sum, [h, v]) => sum + mcus * h * v * 128, 0);
}

/** The frame size and SOF marker, and where the first scan starts (entropy-coded data follows it). */
function jpegLayout(b: Uint8Array): { size: [number, number, number]; scan: number; coefficients: number } | undefined {
  let size: [number, number, number] | undefined;
  let coefficients = 0;
  let i = 2;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    // TEM, RSTn and SOI stand alone: no length follows (libjpeg reads them so; reading a length would desync).
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2;
      continue;
    }
    if (marker === 0xda) return size && { size, scan: i, coefficients };
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size; the first one counts, as in libjpeg.
    if (!size && marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && i + 9 < b.length) {
      size = [u16be(b, i + 7), u16be(b, i + 5), marker];
      coefficients = coefficientBytes(b, i, size[0], size[1]);
    }
    i += 2 + u16be(b, i + 2);
  }
  return undefined;
}

function webpSize(b: Uint8Array): [number, number] | undefined {
  if (ascii(b, 12, 'VP8 ')) return [u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff];
  if (ascii(b, 12, 'VP8L')) {
    const bits = u32le(b, 21);
    return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
  }
  if (ascii(b, 12, 'VP8X')) return [u24le(b, 24) + 1, u24le(b, 27) + 1];
  return undefined;
}

/** A cheap completeness check: the container's end marker is where it should be. */
function looksComplete(format: ImageFormat, b: Uint8Array, jpegScan = 2): boolean {
  const n = b.length;
  switch (format) {
    case 'jpeg': {
      // EOI anywhere after the first scan ("motion photos" append megabytes of video after the image; an EXIF
      // thumbnail's EOI comes before the scan). Entropy-coded data never holds FF D9 (a coded FF is followed by
      // 00 or a restart marker), so a truncated JPEG has none.
      for (let i = n - 2; i >= jpegScan; i--) if (b[i] === 0xff && b[i + 1] === 0xd9) return true;
      return false;
    }
    case 'png':
      for (let i = n - 12; i >= Math.max(8, n - 4096); i--) if (ascii(b, i + 4, 'IEND')) return true;
      return false;
    case 'webp':
      return u32le(b, 4) + 8 <= n;
    case 'gif':
      for (let i = n - 1; i >= Math.max(6, n - 64); i--) if (b[i] === 0x3b) return true;
      return false;
    case 'bmp':
      return u32le(b, 2) <= n;
  }
}

/**
 * Reads the header of a supported image. Returns the format and size, or a reason it cannot be decoded:
 * 'unsupported' (not an image format we decode), 'corrupt' (unreadable header or truncated file).
 */
export function readHeader(b: Uint8Array): ImageHeader | { error: 'unsupported' | 'corrupt'; detail: string } {
  const format = sniffFormat(b);
  if (!format) {
    const known = sniffUnsupported(b);
    return { error: 'unsupported', detail: known ? `${known} images are not supported` : 'not a recognised image format' };
  }
  let size: [number, number] | [number, number, number] | undefined;
  const jpeg = format === 'jpeg' ? jpegLayout(b) : undefined;
  switch (format) {
    case 'jpeg':
      size = jpeg?.size;
      break;
    case 'png':
      size = b.length >= 24 && ascii(b, 12, 'IHDR') ? [u32be(b, 16), u32be(b, 20)] : undefined;
      break;
    case 'webp':
      size = webpSize(b);
      break;
    case 'gif':
      size = b.length >= 10 ? [u16le(b, 6), u16le(b, 8)] : undefined;
      break;
    case 'bmp':
      size = b.length >= 26 ? [u32le(b, 18), Math.abs(u32le(b, 22) | 0)] : undefined;
      break;
  }
  if (!size || size[0] < 1 || size[1] < 1) return { error: 'corrupt', detail: `the ${format.toUpperCase()} header is unreadable` };
  if (!looksComplete(format, b, jpeg?.scan)) return { error: 'corrupt', detail: `the ${format.toUpperCase()} file is truncated` };
  const progressive = format === 'jpeg' && (size[2] === 0xc2 || size[2] === 0xc6 || size[2] === 0xca || size[2] === 0xce);
  return { format, width: size[0], height: size[1], ...(progressive ? { progressive, coefficientBytes: jpeg?.coefficients ?? 0 } : {}) };
}
