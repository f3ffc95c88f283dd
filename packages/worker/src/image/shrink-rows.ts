/**
 * Shrinking RGBA by a whole factor while the rows arrive: each output pixel is the mean of a factor x factor block
 * (the blocks on the right and bottom edges may be smaller), so a decoder that yields rows (png-rows.ts) never
 * holds the full-size frame. This is what a JPEG's DCT scaling does for JPEGs: a cheap reduction to no less than
 * the model needs, before the model's own resize.
 */

export interface ShrinkResult {
  rgba: Uint8Array;
  width: number;
  height: number;
}

/** The output size of shrinking `size` pixels by `factor`. */
export const shrunkSize = (size: number, factor: number) => Math.ceil(size / factor);

/**
 * The largest factor that keeps the shrunk image at least `minWidth` x `minHeight` (when the image is that large),
 * raised until it holds at most `maxPixels`.
 */
export function chooseShrinkFactor(width: number, height: number, minWidth: number, minHeight: number, maxPixels: number): number {
  let factor = 1;
  const wantWidth = Math.max(1, Math.min(minWidth, width));
  const wantHeight = Math.max(1, Math.min(minHeight, height));
  // factor < the larger side: past it the shrunk size stays 1x1 and a 1-pixel hint would never stop the loop.
  while (factor < Math.max(width, height) && shrunkSize(width, factor + 1) >= wantWidth && shrunkSize(height, factor + 1) >= wantHeight) factor++;
  while (factor < Math.max(width, height) && shrunkSize(width, factor) * shrunkSize(height, factor) > maxPixels) factor++;
  return factor;
}

/**
 * A shrinker of `width` x `height` RGBA by `factor`: push every row in order, then `result()`.
 * @example
 * const s = createShrinker(3840, 2160, 4);
 * decodePngRows(bytes, (_y, row) => s.push(row));
 * const { rgba, width, height } = s.result(); // 960 x 540
 */
export function createShrinker(width: number, height: number, factor: number) {
  const outWidth = shrunkSize(width, factor);
  const outHeight = shrunkSize(height, factor);
  const rgba = new Uint8Array(outWidth * outHeight * 4);
  const sums = new Uint32Array(outWidth * 4);
  let y = 0;
  const flush = (outY: number, rows: number) => {
    for (let ox = 0, o = outY * outWidth * 4; ox < outWidth; ox++) {
      const n = Math.min(factor, width - ox * factor) * rows;
      const half = n >> 1;
      for (let c = 0; c < 4; c++, o++) rgba[o] = (((sums[ox * 4 + c] as number) + half) / n) | 0;
    }
    sums.fill(0);
  };
  return {
    push(row: Uint8Array) {
      if (factor === 1) {
        rgba.set(row.subarray(0, width * 4), y * width * 4);
      } else {
        for (let x = 0, s = 0; x < width; x++, s += 4) {
          const o = ((x / factor) | 0) * 4;
          sums[o] = (sums[o] as number) + (row[s] as number);
          sums[o + 1] = (sums[o + 1] as number) + (row[s + 1] as number);
          sums[o + 2] = (sums[o + 2] as number) + (row[s + 2] as number);
          sums[o + 3] = (sums[o + 3] as number) + (row[s + 3] as number);
        }
        if ((y + 1) % factor === 0 || y + 1 === height) flush((y / factor) | 0, (y % factor) + 1);
      }
      y++;
    },
    result(): ShrinkResult {
      if (y !== height) throw new Error(`shrinker got ${y} of ${height} rows`);
      return { rgba, width: outWidth, height: outHeight };
    },
  };
}
