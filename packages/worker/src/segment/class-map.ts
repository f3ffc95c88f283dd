/**
 * The class map: one class index per pixel, row-major, as a Uint8Array (VOC has 21 classes; 255 is reserved for
 * "not requested", see `keepClasses`). Built from a model output as the manifest's output kind says: the argmax of
 * per-pixel logits (NHWC or NCHW), or an integer class map the model computed itself.
 */

export interface ClassMap {
  width: number;
  height: number;
  /** width * height class indices, row-major. */
  data: Uint8Array;
}

/** The value a pixel takes when its class was not requested (VOC's "void" index). */
export const UNREQUESTED = 255;

/** Largest class count a Uint8Array map holds with 255 reserved. */
export const MAX_CLASSES = 255;

function checkClasses(classes: number) {
  if (!Number.isInteger(classes) || classes < 1 || classes > MAX_CLASSES) throw new Error(`class count ${classes} is not in 1..${MAX_CLASSES}`);
}

/** Argmax over the last axis of [H, W, C] logits (NHWC without the batch). Ties keep the lower class. */
export function argmaxNHWC(logits: ArrayLike<number>, width: number, height: number, classes: number): ClassMap {
  checkClasses(classes);
  const n = width * height;
  if (logits.length !== n * classes) throw new Error(`logits have ${logits.length} values, expected ${height}x${width}x${classes}`);
  const data = new Uint8Array(n);
  for (let i = 0, at = 0; i < n; i++, at += classes) {
    let best = 0;
    let bestValue = logits[at] as number;
    for (let c = 1; c < classes; c++) {
      const v = logits[at + c] as number;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    data[i] = best;
  }
  return { width, height, data };
}

/** Argmax over the class planes of [C, H, W] logits (NCHW without the batch). Ties keep the lower class. */
export function argmaxNCHW(logits: ArrayLike<number>, width: number, height: number, classes: number): ClassMap {
  checkClasses(classes);
  const n = width * height;
  if (logits.length !== n * classes) throw new Error(`logits have ${logits.length} values, expected ${classes}x${height}x${width}`);
  // Plane by plane keeps memory access sequential: a running max per pixel instead of a strided inner loop.
  const data = new Uint8Array(n);
  const best = new Float32Array(n);
  for (let i = 0; i < n; i++) best[i] = logits[i] as number;
  for (let c = 1; c < classes; c++) {
    const plane = c * n;
    for (let i = 0; i < n; i++) {
      const v = logits[plane + i] as number;
      if (v > (best[i] as number)) {
        best[i] = v;
        data[i] = c;
      }
    }
  }
  return { width, height, data };
}

/**
 * A class map from an integer output (int64 as ORT gives it: BigInt64Array, or int32). Reads int64 through its low
 * 32-bit words (wasm and every JS engine here are little-endian), which is ~20x faster than converting each BigInt.
 * A value outside 0..classes-1 means the model and its label list disagree: that is a server fault, so it throws.
 */
export function classMapFromIntegers(values: BigInt64Array | Int32Array, width: number, height: number, classes: number): ClassMap {
  checkClasses(classes);
  const n = width * height;
  if (values.length !== n) throw new Error(`class map has ${values.length} values, expected ${height}x${width}`);
  const wide = values instanceof BigInt64Array;
  const words = wide ? new Int32Array(values.buffer, values.byteOffset, n * 2) : values;
  const step = wide ? 2 : 1;
  const data = new Uint8Array(n);
  for (let i = 0, at = 0; i < n; i++, at += step) {
    const v = words[at] as number;
    if (v < 0 || v >= classes || (wide && words[at + 1] !== 0)) throw new Error(`class map value at pixel ${i} is outside 0..${classes - 1}`);
    data[i] = v;
  }
  return { width, height, data };
}

/** The subset of a model output (an ORT tensor) that decoding reads. */
export interface OutputTensor {
  data: unknown;
  dims: readonly number[];
}

export type SegmentationOutput = { kind: 'logits'; layout: 'NHWC' | 'NCHW' } | { kind: 'class-map' };

/** Decodes a segmentation output into a class map, as its manifest output spec says. */
export function classMapFromOutput(spec: SegmentationOutput, tensor: OutputTensor, classes: number): ClassMap {
  const dims = tensor.dims.length > 0 && tensor.dims[0] === 1 ? tensor.dims.slice(1) : tensor.dims;
  if (spec.kind === 'class-map') {
    const [height, width] = dims;
    if (dims.length !== 2 || height === undefined || width === undefined) throw new Error(`class-map output has dims [${tensor.dims}], expected [1,H,W]`);
    if (!(tensor.data instanceof BigInt64Array || tensor.data instanceof Int32Array)) throw new Error('class-map output is not int64 or int32');
    return classMapFromIntegers(tensor.data, width, height, classes);
  }
  if (!(tensor.data instanceof Float32Array)) throw new Error('logits output is not float32');
  if (dims.length !== 3) throw new Error(`logits output has dims [${tensor.dims}], expected 4-D with batch 1`);
  const [a, b, c] = dims as [number, number, number];
  if (spec.layout === 'NHWC') {
    if (c !== classes) throw new Error(`logits have ${c} classes, the label list ${classes}`);
    return argmaxNHWC(tensor.data, b, a, classes);
  }
  if (a !== classes) throw new Error(`logits have ${a} classes, the label list ${classes}`);
  return argmaxNCHW(tensor.data, c, b, classes);
}

/**
 * Nearest-neighbour resize of a class map (classes must not be blended). Each target pixel takes the source pixel
 * under its centre, which is the inverse of the stretch resize that made the model input.
 */
export function resizeNearest(map: ClassMap, width: number, height: number): ClassMap {
  if (width === map.width && height === map.height) return map;
  const data = new Uint8Array(width * height);
  // Source column per target column, computed once.
  const columns = new Uint32Array(width);
  for (let x = 0; x < width; x++) columns[x] = Math.min(map.width - 1, Math.floor(((x + 0.5) * map.width) / width));
  let previous = -1;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(map.height - 1, Math.floor(((y + 0.5) * map.height) / height));
    const dst = y * width;
    if (sy === previous) {
      // Upscaling: consecutive target rows share a source row; copy the finished one.
      data.copyWithin(dst, dst - width, dst);
      continue;
    }
    previous = sy;
    const src = sy * map.width;
    for (let x = 0; x < width; x++) data[dst + x] = map.data[src + (columns[x] as number)] as number;
  }
  return { width, height, data };
}

/**
 * Keeps only the requested classes: every other pixel becomes UNREQUESTED (255). Returns the map itself when
 * `keep` is undefined (everything requested). Works in place: the caller owns the map.
 */
export function keepClasses(map: ClassMap, keep: ReadonlySet<number> | undefined): ClassMap {
  if (!keep) return map;
  const lookup = new Uint8Array(256).fill(UNREQUESTED);
  for (const c of keep) lookup[c] = c;
  const { data } = map;
  for (let i = 0; i < data.length; i++) data[i] = lookup[data[i] as number] as number;
  return map;
}
