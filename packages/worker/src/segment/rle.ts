/**
 * COCO-style run-length encoding of a class map, one binary mask per class, exactly COCO's uncompressed RLE:
 * pixels in column-major order (down the first column, then the next: index = x * height + y), `counts` alternate
 * runs of 0 (not the class) and 1 (the class), always starting with a 0-run (which may be 0 long), and sum to
 * width * height. `{ size: [height, width], counts }` is what pycocotools' `frPyObjects` takes.
 */
import type { ClassMap } from './class-map';

/** Runs per class present: counts alternate 0-run, 1-run, ... in column-major order, summing to width*height. */
export function encodeRle(map: ClassMap, skip: ReadonlySet<number> = new Set()): Map<number, number[]> {
  const { width, height, data } = map;
  const total = width * height;
  const runs = new Map<number, number[]>();
  // Column-major position where each class's last 1-run ended.
  const end = new Float64Array(256);
  const emit = (c: number, start: number, stop: number) => {
    if (skip.has(c)) return;
    let counts = runs.get(c);
    if (!counts) runs.set(c, (counts = []));
    counts.push(start - (end[c] as number), stop - start);
    end[c] = stop;
  };
  let current = -1;
  let start = 0;
  for (let x = 0, at = 0; x < width; x++) {
    for (let y = 0; y < height; y++, at++) {
      const c = data[y * width + x] as number;
      if (c !== current) {
        if (current >= 0) emit(current, start, at);
        current = c;
        start = at;
      }
    }
  }
  if (current >= 0) emit(current, start, total);
  for (const [c, counts] of runs) if ((end[c] as number) < total) counts.push(total - (end[c] as number));
  return runs;
}

/**
 * One class's binary mask (1 = the class) from its counts, row-major. Throws when the counts do not describe a
 * width x height mask: negative, fractional, or not summing to width * height.
 */
export function decodeRle(counts: readonly number[], width: number, height: number): Uint8Array {
  const total = width * height;
  const mask = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] as number;
    if (!Number.isInteger(n) || n < 0 || at + n > total) throw new Error(`RLE count ${i} (${n}) does not fit a ${width}x${height} mask`);
    if (i % 2 === 1) {
      for (let p = at; p < at + n; p++) mask[(p % height) * width + Math.floor(p / height)] = 1;
    }
    at += n;
  }
  if (at !== total) throw new Error(`RLE counts sum to ${at}, expected ${total}`);
  return mask;
}
