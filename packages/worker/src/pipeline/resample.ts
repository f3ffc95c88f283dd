/**
 * Separable triangle (bilinear, antialiased when shrinking) resampling of RGB(A) rows, streamed: source rows go in
 * one at a time, top to bottom, and each output row comes out as soon as the source rows under it are in. Only a
 * ring of horizontally resampled rows (as many as one output row's filter spans) is held, so a caller can resample
 * straight from a decoder's rows into a model's input tensor without a resized RGBA copy, or the full frame.
 *
 * The filter is the one photon's `resize(.., SamplingFilter.Triangle)` runs (the image crate's `Triangle`: support
 * 1, widened by the shrink ratio, weights normalised per output pixel, sample centres at +0.5), so the fused
 * preprocess gives the tensor the photon path gave, within one level of rounding.
 */

/** Per output pixel along one axis: the first source pixel and the weights of the source pixels from there. */
export interface Taps {
  /** First source index of output i. */
  start: Int32Array;
  /** Number of weights of output i (at most `span`). */
  count: Int32Array;
  /** `span` weights per output, summing to 1. */
  weights: Float32Array;
  /** The most source pixels any output reads. */
  span: number;
}

/** Triangle filter taps resampling `from` pixels to `to` (either direction). */
export function triangleTaps(from: number, to: number): Taps {
  const ratio = from / to;
  const stretch = Math.max(ratio, 1);
  const support = stretch;
  const span = Math.ceil(support * 2) + 2;
  const start = new Int32Array(to);
  const count = new Int32Array(to);
  const weights = new Float32Array(to * span);
  const w = new Float64Array(span);
  for (let o = 0; o < to; o++) {
    const centre = (o + 0.5) * ratio;
    const left = Math.min(Math.max(Math.floor(centre - support), 0), from - 1);
    const right = Math.min(Math.max(Math.ceil(centre + support), left + 1), from);
    let sum = 0;
    let first = -1;
    let last = -1;
    for (let i = left; i < right; i++) {
      const x = Math.abs((i - (centre - 0.5)) / stretch);
      const v = x < 1 ? 1 - x : 0;
      w[i - left] = v;
      sum += v;
      if (v > 0) {
        if (first < 0) first = i;
        last = i;
      }
    }
    if (first < 0) {
      // Cannot happen for sane sizes (some source pixel is always within the support); keep the nearest.
      first = last = Math.min(from - 1, Math.max(0, Math.round(centre - 0.5)));
      w[first - left] = sum = 1;
    }
    // Zero weights at the ends are dropped: a same-size "resize" reads one pixel, not three.
    start[o] = first;
    count[o] = last - first + 1;
    for (let i = first; i <= last; i++) weights[o * span + i - first] = (w[i - left] as number) / sum;
  }
  return { start, count, weights, span };
}

/** Streams source rows in and calls `emit` with each finished output row. */
export interface RowResampler {
  /** Source row `y` (called for y = 0, 1, ... in order): `bytesPerPixel` bytes a pixel, the first three R, G, B. */
  push(row: Uint8Array, bytesPerPixel?: number): void;
}

/**
 * A resampler from `srcWidth` x `srcHeight` to `outWidth` x `outHeight`. `emit(y, rgb)` gets output row y as
 * outWidth*3 unrounded RGB values in 0..255; `rgb` is reused for the next row, so copy what you keep.
 * @example
 * const r = createRowResampler(640, 480, 224, 224, (y, rgb) => pack(y, rgb));
 * for (let y = 0; y < 480; y++) r.push(rgba.subarray(y * 640 * 4, (y + 1) * 640 * 4));
 */
export function createRowResampler(
  srcWidth: number,
  srcHeight: number,
  outWidth: number,
  outHeight: number,
  emit: (y: number, rgb: Float32Array) => void,
): RowResampler {
  const h = triangleTaps(srcWidth, outWidth);
  const v = triangleTaps(srcHeight, outHeight);
  const ringSize = Math.min(v.span, srcHeight);
  const ring = Array.from({ length: ringSize }, () => new Float32Array(outWidth * 3));
  const out = new Float32Array(outWidth * 3);
  const n = outWidth * 3;
  let next = 0; // the next output row
  let y = 0; // the next source row

  const horizontal = (row: Uint8Array, bpp: number, dst: Float32Array) => {
    const { start, count, weights, span } = h;
    for (let o = 0; o < outWidth; o++) {
      let s = (start[o] as number) * bpp;
      let k = o * span;
      const end = k + (count[o] as number);
      let r = 0;
      let g = 0;
      let b = 0;
      for (; k < end; k++, s += bpp) {
        const w = weights[k] as number;
        r += (row[s] as number) * w;
        g += (row[s + 1] as number) * w;
        b += (row[s + 2] as number) * w;
      }
      dst[o * 3] = r;
      dst[o * 3 + 1] = g;
      dst[o * 3 + 2] = b;
    }
  };

  const vertical = (o: number) => {
    const first = v.start[o] as number;
    const taps = v.count[o] as number;
    const base = o * v.span;
    const row0 = ring[first % ringSize] as Float32Array;
    const w0 = v.weights[base] as number;
    for (let i = 0; i < n; i++) out[i] = (row0[i] as number) * w0;
    for (let t = 1; t < taps; t++) {
      const row = ring[(first + t) % ringSize] as Float32Array;
      const w = v.weights[base + t] as number;
      for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (row[i] as number) * w;
    }
    emit(o, out);
  };

  return {
    push(row, bytesPerPixel = 4) {
      if (y >= srcHeight) throw new Error('more source rows than the resampler was made for');
      horizontal(row, bytesPerPixel, ring[y % ringSize] as Float32Array);
      y++;
      // Every output whose last source row is in can be finished now.
      while (next < outHeight && (v.start[next] as number) + (v.count[next] as number) <= y) vertical(next++);
    },
  };
}
