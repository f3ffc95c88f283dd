/**
 * Drawing a class map: the photo with each class's palette colour blended over it (format=image), and the
 * transparency table that turns the class map itself into a colour mask PNG (format=mask).
 */
import type { ClassMap } from '../segment/class-map';
import { UNREQUESTED } from '../segment/class-map';

/**
 * Blends `palette[c]` over every pixel of class c into `rgba` (same size as the map), in place, and returns it:
 * out = photo * (1 - opacity) + colour * opacity. Background (0) and unrequested (255) pixels stay the photo, so
 * the objects stand out. Integer math in 1/256 steps; alpha is untouched.
 */
export function blendOverlay(rgba: Uint8Array, map: ClassMap, palette: Uint8Array, opacity = 0.5): Uint8Array {
  const { data } = map;
  if (rgba.length !== data.length * 4) throw new Error(`photo has ${rgba.length / 4} pixels, the class map ${data.length}`);
  const a = Math.round(Math.min(1, Math.max(0, opacity)) * 256);
  const keep = 256 - a;
  // Premultiplied colour per class, so each channel is one multiply-add.
  const tint = new Uint32Array(256 * 3);
  for (let c = 0; c < 256 && c * 3 + 2 < palette.length; c++) {
    for (let k = 0; k < 3; k++) tint[c * 3 + k] = (palette[c * 3 + k] as number) * a + 128;
  }
  for (let i = 0, p = 0; i < data.length; i++, p += 4) {
    const c = data[i] as number;
    if (c === 0 || c === UNREQUESTED) continue;
    const t = c * 3;
    rgba[p] = ((rgba[p] as number) * keep + (tint[t] as number)) >> 8;
    rgba[p + 1] = ((rgba[p + 1] as number) * keep + (tint[t + 1] as number)) >> 8;
    rgba[p + 2] = ((rgba[p + 2] as number) * keep + (tint[t + 2] as number)) >> 8;
  }
  return rgba;
}

/**
 * Alpha per palette index for a colour-mask PNG (tRNS chunk): classes opaque, background (0) and unrequested (255)
 * transparent, so the mask can be laid over the photo as it is (CSS opacity, canvas drawImage).
 */
export function maskTransparency(count = 256): Uint8Array {
  const alpha = new Uint8Array(count).fill(255);
  alpha[0] = 0;
  if (count > UNREQUESTED) alpha[UNREQUESTED] = 0;
  return alpha;
}
