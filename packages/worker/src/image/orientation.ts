/**
 * EXIF orientation: read the tag from a JPEG's APP1 segment and turn decoded pixels so that results (labels,
 * boxes, masks) are in the frame a person sees, as browsers and photo viewers show it.
 */

/** The EXIF orientation (1..8) of a JPEG; 1 when absent or unreadable. */
export function readJpegOrientation(b: Uint8Array): number {
  let i = 2;
  while (i + 4 < b.length && b[i] === 0xff) {
    const marker = b[i + 1] ?? 0;
    const length = ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0);
    if (marker === 0xda) break; // start of scan: no more metadata
    if (marker === 0xe1 && b[i + 4] === 0x45 && b[i + 5] === 0x78 && b[i + 6] === 0x69 && b[i + 7] === 0x66) {
      return tiffOrientation(b.subarray(i + 10, i + 2 + length));
    }
    i += 2 + length;
  }
  return 1;
}

function tiffOrientation(t: Uint8Array): number {
  if (t.length < 8) return 1;
  const le = t[0] === 0x49;
  const u16 = (i: number) => (le ? (t[i] ?? 0) | ((t[i + 1] ?? 0) << 8) : ((t[i] ?? 0) << 8) | (t[i + 1] ?? 0));
  const ifd = u16(le ? 4 : 6) + (le ? u16(6) << 16 : u16(4) << 16);
  const count = u16(ifd);
  for (let k = 0; k < count; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > t.length) return 1;
    if (u16(e) === 0x0112) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

/** Orientations 5..8 swap width and height. */
export const swapsAxes = (orientation: number) => orientation >= 5;

/**
 * Returns the RGBA pixels turned to orientation 1. `data` is width*height*4 bytes in stored order.
 * Each output pixel (x, y) is read from the stored pixel that EXIF says belongs there.
 */
export function applyOrientation(data: Uint8Array, width: number, height: number, orientation: number) {
  if (orientation <= 1 || orientation > 8) return { data, width, height };
  const outW = swapsAxes(orientation) ? height : width;
  const outH = swapsAxes(orientation) ? width : height;
  const src32 = new Uint32Array(data.buffer, data.byteOffset, width * height);
  const out = new Uint8Array(outW * outH * 4);
  const dst32 = new Uint32Array(out.buffer);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: sx = width - 1 - x; sy = y; break;
        case 3: sx = width - 1 - x; sy = height - 1 - y; break;
        case 4: sx = x; sy = height - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = height - 1 - x; break;
        case 7: sx = width - 1 - y; sy = height - 1 - x; break;
        default: sx = width - 1 - y; sy = x; break; // 8
      }
      dst32[y * outW + x] = src32[sy * width + sx] ?? 0;
    }
  }
  return { data: out, width: outW, height: outH };
}
