/**
 * A user model's preprocessing, resolved: the file says the image tensor's name, layout, size, dtype and (uint8
 * TFLite) quantisation; the entry says the rest, else the format's usual defaults (docs/models.md):
 * uint8 input: mean = zero point, std = 1 / scale (the quantisation is the normalisation);
 * Ultralytics ONNX: letterbox padded with 114, RGB, /255; other float ONNX: ImageNet mean/std (torchvision's);
 * float TFLite: (pixel - 127.5) / 127.5. Resize stretch and RGB unless the entry says otherwise.
 */
import type { CatalogEntry, Problem } from './catalog-entry';
import type { FileTensor, ModelFileInfo } from './model-file';

type Triple = [number, number, number];

export interface ResolvedInput {
  input: { width: number; height: number; channels: 'RGB' | 'BGR'; resize: 'stretch' | 'letterbox'; pad?: number; mean: Triple; std: Triple };
  tensor: { name: string; layout: 'NCHW' | 'NHWC'; dtype: 'float32' | 'uint8'; quantization?: { scale: number; zero_point: number } };
  feeds: { name: string; type: 'int64'; value: 'image_size' }[];
  /** The image tensor's dims with batch 1 and the resolved size: what the load check feeds. */
  dims: number[];
}

const IMAGENET = { mean: [123.675, 116.28, 103.53] as Triple, std: [58.395, 57.12, 57.375] as Triple };
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
const showDims = (dims: readonly (number | string)[]) => `[${dims.join(', ')}]`;

/** Which axes are channels / height / width, from a rank-4 image tensor's dims. */
function layoutOf(dims: readonly (number | string)[]): 'NCHW' | 'NHWC' | undefined {
  if (dims.length !== 4) return undefined;
  if (dims[3] === 3 || dims[3] === 1) return 'NHWC';
  if (dims[1] === 3 || dims[1] === 1) return 'NCHW';
  return undefined;
}

/** An extra input the worker can feed: DETR exports' int64 [N, 2] original size. */
const isSizeFeed = (t: FileTensor) => t.dtype === 'int64' && t.dims.length === 2 && (t.dims[1] === 2 || typeof t.dims[1] === 'string');

export function resolveInput(entry: CatalogEntry, info: ModelFileInfo): { resolved?: ResolvedInput; problems: Problem[] } {
  const problems: Problem[] = [];
  const fail = (field: string, message: string) => problems.push({ id: entry.id, field, message });
  const images = info.inputs.filter((t) => t.dims.length === 4);
  const others = info.inputs.filter((t) => t.dims.length !== 4);
  const image = images[0];
  if (images.length !== 1 || !image) {
    fail('file', `needs one image input (rank 4); the file has ${info.inputs.map((t) => `'${t.name}' ${showDims(t.dims)}`).join(', ') || 'none'}`);
    return { problems };
  }
  const unfed = others.filter((t) => !(info.format === 'onnx' && isSizeFeed(t)));
  if (unfed.length > 0) fail('file', `has inputs cvkit cannot feed: ${unfed.map((t) => `'${t.name}' ${t.dtype} ${showDims(t.dims)}`).join(', ')}`);
  const layout = layoutOf(image.dims);
  if (!layout) {
    fail('input', `the file's image input '${image.name}' ${showDims(image.dims)} is neither NCHW nor NHWC with 3 channels`);
    return { problems };
  }
  const channelsAxis = layout === 'NCHW' ? 1 : 3;
  if (image.dims[channelsAxis] !== 3) fail('input', `the file's image input '${image.name}' ${showDims(image.dims)} has ${image.dims[channelsAxis]} channel(s); cvkit feeds 3`);
  const [hAxis, wAxis] = layout === 'NCHW' ? [2, 3] : [1, 2];
  const fileH = image.dims[hAxis];
  const fileW = image.dims[wAxis];
  const hint = info.ultralytics?.imgsz;
  const size = (field: 'width' | 'height', fromFile: number | string | undefined, fromHint: number | undefined): number => {
    const given = entry.input?.[field];
    if (typeof fromFile === 'number' && fromFile > 0) {
      if (given !== undefined && given !== fromFile) fail(`input.${field}`, `the file's input '${image.name}' ${showDims(image.dims)} has ${field} ${fromFile}, the entry says ${given}`);
      return fromFile;
    }
    const value = given ?? fromHint;
    if (value === undefined) fail(`input.${field}`, `the file's input '${image.name}' ${showDims(image.dims)} has a dynamic ${field}: give input.${field}`);
    return value ?? 1;
  };
  const height = size('height', fileH, hint?.[0]);
  const width = size('width', fileW, hint?.[1]);

  let dtype: 'float32' | 'uint8';
  let quantization: { scale: number; zero_point: number } | undefined;
  if (image.dtype === 'float32') dtype = 'float32';
  else if (image.dtype === 'uint8' && info.format === 'tflite') {
    dtype = 'uint8';
    quantization = image.quantization ?? { scale: 1, zero_point: 0 };
  } else {
    fail('file', `the image input '${image.name}' is ${image.dtype}; cvkit feeds float32${info.format === 'tflite' ? ' or uint8' : ''}`);
    return { problems };
  }

  const ultralytics = info.ultralytics !== undefined;
  const given = entry.input ?? {};
  let mean: Triple;
  let std: Triple;
  if (quantization) {
    // Raw bytes go in: the model's own quantisation is its normalisation; an entry that says otherwise is wrong.
    const q = quantization;
    mean = [q.zero_point, q.zero_point, q.zero_point];
    std = [1 / q.scale, 1 / q.scale, 1 / q.scale];
    const said = `uint8 input '${image.name}' is quantised with scale ${q.scale}, zero point ${q.zero_point} (mean ${q.zero_point}, std ${+(1 / q.scale).toFixed(6)})`;
    if (given.mean && !given.mean.every((m) => close(m, q.zero_point))) fail('input.mean', `the file's ${said}; the entry says [${given.mean.join(', ')}]`);
    if (given.std && !given.std.every((s) => close(s, 1 / q.scale))) fail('input.std', `the file's ${said}; the entry says [${given.std.join(', ')}]`);
  } else {
    const usual = ultralytics ? { mean: [0, 0, 0] as Triple, std: [255, 255, 255] as Triple } : info.format === 'tflite' ? { mean: [127.5, 127.5, 127.5] as Triple, std: [127.5, 127.5, 127.5] as Triple } : IMAGENET;
    mean = given.mean ?? usual.mean;
    std = given.std ?? usual.std;
  }
  const resize = given.resize ?? (ultralytics ? 'letterbox' : 'stretch');
  const pad = given.pad ?? (resize === 'letterbox' ? 114 : undefined);
  const dims = layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3];
  const feeds = others.filter((t) => info.format === 'onnx' && isSizeFeed(t)).map((t) => ({ name: t.name, type: 'int64' as const, value: 'image_size' as const }));
  return {
    problems,
    resolved: {
      input: { width, height, channels: given.channels ?? 'RGB', resize, ...(pad !== undefined ? { pad } : {}), mean, std },
      tensor: { name: image.name, layout, dtype, ...(quantization ? { quantization } : {}) },
      feeds,
      dims,
    },
  };
}
