/**
 * Decoding: bytes -> upright RGBA pixels. Formats are checked and sized from their headers first (formats.ts), so
 * the decoders only see complete files of a supported format within the memory budget. JPEGs, most of what people
 * send, are decoded by libjpeg-turbo at the smallest DCT scale that still covers what the caller needs
 * (jpeg-turbo.ts); PNGs row by row, shrunk as they decode (png-rows.ts, shrink-rows.ts); interlaced PNG, GIF and BMP
 * in JS (js-decoders.ts); WebP by libwebp (webp.ts); CMYK JPEGs by photon.
 */
import { PhotonImage, SamplingFilter, resize } from '@cf-wasm/photon';
import { ApiError } from '../errors';
import { type ImageFormat, type ImageHeader, readHeader } from './formats';
import { chooseEighths, createJpegDecoder, type JpegDecoder, scaledSize } from './jpeg-turbo';
import { decodeBmpRGBA, decodeGifRGBA, decodePngRGBA, type Pixels } from './js-decoders';
import { decodePngRows } from './png-rows';
import { chooseShrinkFactor, createShrinker } from './shrink-rows';
import { createWebpDecoder, type WebpDecoder } from './webp';
import { applyOrientation, readJpegOrientation, swapsAxes } from './orientation';

/**
 * Most pixels held decoded at once (about 2.1 megapixels: 1920x1080 fits). photon's wasm memory grows to its peak
 * (~13 bytes a pixel) and never shrinks, and the isolate's 128 MB also holds up to ~94 MiB of ORT. Larger JPEGs
 * are decoded at a reduced scale, larger PNGs shrunk while their rows are decoded; larger images of other formats
 * are refused.
 */
export const MAX_DECODED_PIXELS = 2_100_000;
/**
 * Largest non-interlaced PNG (4096x4096; a 4K screenshot is 8.3 MP). Its rows are decoded one at a time and shrunk
 * on the fly (png-rows.ts, shrink-rows.ts): memory is two scanlines and the shrunk frame, whatever the size, so
 * this bounds the work (about 0.1 s a megapixel on the bench machine), not memory. Interlaced PNGs are decoded
 * whole and stop at MAX_DECODED_PIXELS.
 */
export const MAX_PNG_PIXELS = 16_777_216;
/** Largest baseline JPEG accepted (decoded at reduced scale; segmentation still returns a map this large). */
export const MAX_JPEG_PIXELS = 24_000_000;
/** Largest progressive JPEG: libjpeg holds all its DCT coefficients (about 3 bytes a pixel) while decoding. */
export const MAX_PROGRESSIVE_JPEG_PIXELS = 16_000_000;
/**
 * Largest coefficient buffer of a progressive JPEG, whatever the output scale: 2 bytes per sample, so 3 bytes a
 * pixel for 4:2:0 (about 8 megapixels fit) and 6 for 4:4:4 (about 4). A 16 MP 4:4:4 file of 188 KB would take 92 MiB.
 */
export const MAX_PROGRESSIVE_COEFFICIENT_BYTES = 24 * 1024 * 1024;

export interface DecodedImage {
  format: ImageFormat;
  /** Size of `rgba`, upright (EXIF orientation applied). Smaller than `original` when decoded at reduced scale. */
  width: number;
  height: number;
  /** RGBA, width*height*4 bytes, upright. */
  rgba: Uint8Array;
  /** The image's own size as a person sees it (upright). Results are reported in these coordinates. */
  original: { width: number; height: number };
}

/** The smallest upright size the caller needs; absent: as large as the budget allows. */
export interface DecodeHints {
  minWidth: number;
  minHeight: number;
}

let jpegDecoder: JpegDecoder | undefined;
let webpDecoder: WebpDecoder | undefined;

/**
 * Turns on the wasm codecs whose modules each runtime loads its own way (index.ts imports them, node.ts compiles
 * them): libjpeg-turbo for scaled JPEG decoding, libwebp for WebP. Without them photon decodes both.
 */
export function enableCodecs({ jpeg, webp }: { jpeg: WebAssembly.Module; webp: WebAssembly.Module }) {
  jpegDecoder = createJpegDecoder(jpeg);
  webpDecoder = createWebpDecoder(webp);
}

const tooLarge = (h: ImageHeader, limit: number) =>
  new ApiError('image_too_large', `The image is ${h.width}x${h.height} pixels; the limit for ${h.format.toUpperCase()} is ${(limit / 1e6).toFixed(1)} megapixels. Downscale it before sending.`);

function checkHeader(bytes: Uint8Array): ImageHeader {
  const header = readHeader(bytes);
  if ('error' in header) {
    throw header.error === 'unsupported'
      ? new ApiError('unsupported_media_type', `Unsupported image: ${header.detail}. Send JPEG, PNG, WebP, GIF or BMP.`)
      : new ApiError('invalid_image', `Cannot decode the image: ${header.detail}.`);
  }
  const pixels = header.width * header.height;
  const limit =
    header.format === 'png' ? MAX_PNG_PIXELS : header.format !== 'jpeg' || !jpegDecoder ? MAX_DECODED_PIXELS : header.progressive ? MAX_PROGRESSIVE_JPEG_PIXELS : MAX_JPEG_PIXELS;
  if (pixels > limit) throw tooLarge(header, limit);
  if (header.progressive && jpegDecoder && (header.coefficientBytes ?? 0) > MAX_PROGRESSIVE_COEFFICIENT_BYTES) {
    const mib = (n: number) => Math.ceil(n / 1048576);
    throw new ApiError(
      'image_too_large',
      `The image is a progressive JPEG of ${header.width}x${header.height} pixels, which needs ${mib(header.coefficientBytes ?? 0)} MiB to decode; the limit is ${mib(MAX_PROGRESSIVE_COEFFICIENT_BYTES)} MiB. Send a baseline JPEG or downscale it.`,
    );
  }
  return header;
}

/**
 * JPEG through libjpeg-turbo at the smallest scale covering `hints` and within MAX_DECODED_PIXELS; undefined for
 * CMYK JPEGs (photon's turn). A corrupt JPEG is refused here: photon would trap on it and leak.
 */
function decodeJpegScaled(bytes: Uint8Array, header: ImageHeader, orientation: number, hints: DecodeHints | undefined): Pixels | undefined {
  if (!jpegDecoder) return undefined;
  // Hints are upright; the scale applies to the stored frame.
  const [minW, minH] = hints ? (swapsAxes(orientation) ? [hints.minHeight, hints.minWidth] : [hints.minWidth, hints.minHeight]) : [header.width, header.height];
  let eighths = chooseEighths(header.width, header.height, minW, minH);
  while (eighths > 1 && scaledSize(header.width, eighths) * scaledSize(header.height, eighths) > MAX_DECODED_PIXELS) eighths--;
  const decoded = jpegDecoder.decode(bytes, eighths, header);
  if (decoded === 'corrupt') throw new ApiError('invalid_image', 'Cannot decode the JPEG image: the file is corrupt.');
  return decoded === 'cmyk' ? undefined : decoded;
}

/**
 * A non-interlaced PNG row by row, shrunk by a whole factor to no less than `hints` and within MAX_DECODED_PIXELS
 * while it decodes; undefined for an interlaced one.
 */
async function decodePngShrunk(bytes: Uint8Array, header: ImageHeader, hints: DecodeHints | undefined): Promise<Pixels | undefined> {
  const { width, height } = header;
  const factor = chooseShrinkFactor(width, height, hints?.minWidth ?? width, hints?.minHeight ?? height, MAX_DECODED_PIXELS);
  const shrinker = createShrinker(width, height, factor);
  const info = await decodePngRows(bytes, (_y, row) => shrinker.push(row));
  if (info === 'interlaced') return undefined;
  if (info.width !== width || info.height !== height) throw new Error('PNG size changed');
  return shrinker.result();
}

/** Everything but scaled JPEG: PNG, GIF and BMP in JS (png-rows.ts, js-decoders.ts), WebP with libwebp; CMYK JPEG with photon. */
async function decodeWhole(bytes: Uint8Array, header: ImageHeader, hints: DecodeHints | undefined): Promise<Pixels> {
  const corrupt = () => new ApiError('invalid_image', `Cannot decode the ${header.format.toUpperCase()} image: the file is corrupt.`);
  let pixels: Pixels | undefined;
  if (header.format === 'png') {
    try {
      pixels = await decodePngShrunk(bytes, header, hints);
    } catch {
      throw corrupt();
    }
    if (pixels) return pixels;
  }
  if (header.width * header.height > MAX_DECODED_PIXELS) throw tooLarge(header, MAX_DECODED_PIXELS);
  if (header.format === 'jpeg' || (header.format === 'webp' && !webpDecoder)) return decodeWithPhoton(bytes, corrupt);
  try {
    if (header.format === 'png') pixels = decodePngRGBA(bytes);
    else if (header.format === 'gif') pixels = decodeGifRGBA(bytes);
    else if (header.format === 'bmp') pixels = decodeBmpRGBA(bytes);
    else pixels = await (webpDecoder as WebpDecoder)(bytes);
  } catch {
    throw corrupt();
  }
  // A bitstream carries its own size: hold it to the size the limits were checked against.
  if (pixels.width !== header.width || pixels.height !== header.height) throw corrupt();
  return pixels;
}

/** photon, for CMYK JPEGs (libjpeg-turbo cannot convert them) and when the codecs are not enabled. */
function decodeWithPhoton(bytes: Uint8Array, corrupt: () => ApiError): Pixels {
  let image: PhotonImage;
  try {
    image = PhotonImage.new_from_byteslice(bytes);
  } catch {
    throw corrupt();
  }
  try {
    return { rgba: image.get_raw_pixels(), width: image.get_width(), height: image.get_height() };
  } finally {
    image.free();
  }
}

/** Decodes an image upright. Throws ApiError for anything that is not a decodable image within the limits. */
export async function decodeImage(bytes: Uint8Array, hints?: DecodeHints): Promise<DecodedImage> {
  const header = checkHeader(bytes);
  const orientation = header.format === 'jpeg' ? readJpegOrientation(bytes) : 1;
  const stored = (header.format === 'jpeg' && decodeJpegScaled(bytes, header, orientation, hints)) || (await decodeWhole(bytes, header, hints));
  const upright = applyOrientation(stored.rgba, stored.width, stored.height, orientation);
  const original = swapsAxes(orientation) ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
  return { format: header.format, width: upright.width, height: upright.height, rgba: upright.data, original };
}

/** Resizes RGBA pixels with photon's triangle (bilinear, antialiased) filter. */
export function resizeRGBA(rgba: Uint8Array, width: number, height: number, toWidth: number, toHeight: number): Uint8Array {
  if (toWidth === width && toHeight === height) return rgba;
  const source = new PhotonImage(rgba, width, height);
  try {
    const resized = resize(source, toWidth, toHeight, SamplingFilter.Triangle);
    try {
      return resized.get_raw_pixels();
    } finally {
      resized.free();
    }
  } finally {
    source.free();
  }
}
