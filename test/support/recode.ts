/** A photo as people pass it around again: shrunk, mirrored and re-encoded as JPEG (photon, the worker's codec). */
import { PhotonImage, SamplingFilter, fliph, resize } from '@cf-wasm/photon';

export interface Recode {
  /** Size factor (0.5: half the width and height). */
  scale?: number;
  mirror?: boolean;
  /** JPEG quality, 1..100. */
  quality?: number;
}

export function recode(bytes: Uint8Array, { scale = 1, mirror = false, quality = 90 }: Recode = {}): Uint8Array<ArrayBuffer> {
  let img = PhotonImage.new_from_byteslice(bytes);
  if (scale !== 1) {
    const small = resize(img, Math.max(1, Math.round(img.get_width() * scale)), Math.max(1, Math.round(img.get_height() * scale)), SamplingFilter.Triangle);
    img.free();
    img = small;
  }
  if (mirror) fliph(img);
  try {
    return new Uint8Array(img.get_bytes_jpeg(quality));
  } finally {
    img.free();
  }
}
