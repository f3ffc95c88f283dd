/**
 * Decoding with photon: bytes -> upright RGBA pixels. Formats are checked and sized from their headers first
 * (see formats.ts), so photon only sees complete files of a supported format within the pixel budget.
 */
import { PhotonImage, SamplingFilter, resize } from '@cf-wasm/photon';
import { ApiError } from '../errors';
import { type ImageFormat, readHeader } from './formats';
import { applyOrientation, readJpegOrientation } from './orientation';

/** Largest image we decode: 4096x4096-class phone photos fit; photon's wasm memory grows to the peak and stays. */
export const MAX_PIXELS = 16_777_216;

export interface DecodedImage {
  format: ImageFormat;
  /** Upright size: EXIF orientation applied. */
  width: number;
  height: number;
  /** RGBA, width*height*4 bytes, upright. */
  rgba: Uint8Array;
}

/** Decodes an image, applying EXIF orientation. Throws ApiError for anything that is not a decodable image. */
export function decodeImage(bytes: Uint8Array): DecodedImage {
  const header = readHeader(bytes);
  if ('error' in header) {
    throw header.error === 'unsupported'
      ? new ApiError('unsupported_media_type', `Unsupported image: ${header.detail}. Send JPEG, PNG, WebP, GIF or BMP.`)
      : new ApiError('invalid_image', `Cannot decode the image: ${header.detail}.`);
  }
  if (header.width * header.height > MAX_PIXELS) {
    throw new ApiError(
      'image_too_large',
      `The image is ${header.width}x${header.height} pixels; the limit is ${MAX_PIXELS / 1048576} megapixels. Downscale it before sending.`,
    );
  }
  let image: PhotonImage;
  try {
    image = PhotonImage.new_from_byteslice(bytes);
  } catch {
    throw new ApiError('invalid_image', `Cannot decode the ${header.format.toUpperCase()} image: the file is corrupt.`);
  }
  try {
    const width = image.get_width();
    const height = image.get_height();
    const orientation = header.format === 'jpeg' ? readJpegOrientation(bytes) : 1;
    const upright = applyOrientation(image.get_raw_pixels(), width, height, orientation);
    return { format: header.format, width: upright.width, height: upright.height, rgba: upright.data };
  } finally {
    image.free();
  }
}

/** Resizes RGBA pixels with photon's triangle (bilinear) filter. */
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
