/** Inputs built from a fixture photo for the pose tests: an EXIF-rotated JPEG and a very wide canvas, as PNG/JPEG bytes. */
import { PhotonImage } from '@cf-wasm/photon';
import { applyOrientation } from '../../packages/worker/src/image/orientation';

type Pixels = { rgba: Uint8Array; width: number; height: number };

function encode({ rgba, width, height }: Pixels, type: 'png' | 'jpeg'): Uint8Array<ArrayBuffer> {
  const img = new PhotonImage(rgba, width, height);
  try {
    return new Uint8Array(type === 'png' ? img.get_bytes() : img.get_bytes_jpeg(95));
  } finally {
    img.free();
  }
}

/** A JPEG storing the upright pixels turned a quarter counter-clockwise, with EXIF orientation 6 to turn them back. */
export function rotatedJpeg(upright: Pixels): Uint8Array<ArrayBuffer> {
  const stored = applyOrientation(upright.rgba, upright.width, upright.height, 8);
  const jpeg = encode({ rgba: stored.data, width: stored.width, height: stored.height }, 'jpeg');
  // APP1 "Exif", big-endian TIFF with one IFD entry: Orientation (0x0112), SHORT, 1 value, 6.
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const app1 = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
  return new Uint8Array([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]);
}

/** The photo placed at x = `offset` on a light grey canvas `width` wide (a letterboxed, very wide input), as PNG. */
export function wideCanvas(photo: Pixels, width: number, offset: number): Uint8Array<ArrayBuffer> {
  const rgba = new Uint8Array(width * photo.height * 4).fill(200);
  for (let y = 0; y < photo.height; y++) rgba.set(photo.rgba.subarray(y * photo.width * 4, (y + 1) * photo.width * 4), (y * width + offset) * 4);
  return encode({ rgba, width, height: photo.height }, 'png');
}
