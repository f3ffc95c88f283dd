/**
 * A user model's output spec, resolved and checked against the tensors the file really returns (the load check
 * runs it once, so dynamic dims are known): the kind (from the entry, else inferred per task and file), the tensor
 * names, ranks and dims each kind expects, and the class dimension against the label count. uint8 outputs get
 * their dequantisation from the file. Each mismatch is one problem naming the field and what the file has.
 */
import { expectedTensors, kindsFor, type OutputSpec, outputKindOf } from '../../packages/worker/src/outputs';
import type { CatalogEntry, CatalogTask, Problem } from './catalog-entry';
import type { ModelFileInfo } from './model-file';

/** An output as the load check saw it. */
export interface SeenOutput {
  name: string;
  dtype: string;
  dims: number[];
  /** Its values on an all-zero input (for the softmax guess). */
  values?: ArrayLike<number>;
}

/** The user detector kinds whose decoders are detect/yolo-v8.ts and detect/tflite-ssd.ts, until the registry lists them. */
const USER_DETECTORS = ['yolo-v8', 'tflite-ssd'];

/** The output kinds that answer `task`: the worker's registry (packages/worker/src/outputs), plus the user detectors. */
export const kindsOf = (task: CatalogTask): string[] => [...new Set([...kindsFor(task), ...(task === 'detect' ? USER_DETECTORS : [])])];

/**
 * The registry's own declaration of the kind, checked against what the file returned: its fields parse with the
 * kind's schema, and each tensor it reads exists with an accepted type (uint8 when dequantised), its shape, and
 * its class axis as long as the labels (plus the kind's offset). Kinds not registered yet pass unchecked here.
 */
function registryProblems(id: string, output: OutputJson, seen: readonly SeenOutput[], dequantized: readonly string[], classes: number | undefined): Problem[] {
  const kind = outputKindOf(output.kind);
  if (!kind) return [];
  const parsed = kind.schema.safeParse(output);
  if (!parsed.success) return parsed.error.issues.map((i) => ({ id, field: `output.${i.path.join('.')}`, message: i.message }));
  const problems: Problem[] = [];
  for (const want of expectedTensors(parsed.data as OutputSpec)) {
    const have = seen.find((o) => o.name === want.name);
    if (!have) {
      problems.push({ id, field: 'output', message: `the file has no output '${want.name}'; it has ${describe(seen)}` });
      continue;
    }
    const dtype = dequantized.includes(have.name) ? 'float32' : have.dtype;
    const fits = want.shape.length === have.dims.length && want.shape.every((d, i) => d === -1 || d === have.dims[i]);
    if (!(want.dtypes as readonly string[]).includes(dtype) && !(want.dtypes as readonly string[]).includes(have.dtype)) {
      problems.push({ id, field: 'output', message: `'${have.name}' is ${have.dtype}; ${output.kind} reads ${want.dtypes.join(' or ')}` });
    }
    if (!fits) problems.push({ id, field: 'output', message: `'${have.name}' is ${showDims(have.dims)}; ${output.kind} reads [${want.shape.map((d) => (d === -1 ? '*' : d)).join(', ')}]` });
    else if (want.classes && classes !== undefined && have.dims[want.classes.axis] !== classes + want.classes.offset) {
      problems.push({ id, field: 'labels', message: `${classes} labels, but output '${have.name}' ${showDims(have.dims)} has ${(have.dims[want.classes.axis] as number) - want.classes.offset} classes` });
    }
  }
  return problems;
}

export type OutputJson = Record<string, unknown> & { kind: string };

export interface ResolvedOutput {
  output: OutputJson;
  dequantize: Record<string, { scale: number; zero_point: number }>;
}

const showDims = (dims: readonly number[]) => `[${dims.join(', ')}]`;
const describe = (outputs: readonly SeenOutput[]) => outputs.map((o) => `'${o.name}' ${o.dtype} ${showDims(o.dims)}`).join(', ');
const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const YOLOX_STRIDES = [8, 16, 32];
const anchors = (width: number, height: number, strides: readonly number[]) => strides.reduce((n, s) => n + Math.ceil(width / s) * Math.ceil(height / s), 0);

/**
 * Softmax output or logits? Probabilities are in [0, 1] and sum to about 1 (a quantised softmax loses the many tiny
 * ones: MobileNet's uint8 output sums to 0.58 on a grey image), logits are not: anything else gets a softmax.
 */
function looksLikeProbabilities(values: ArrayLike<number> | undefined, dequantize?: { scale: number; zero_point: number }): boolean {
  if (!values || values.length === 0) return false;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = dequantize ? ((values[i] as number) - dequantize.zero_point) * dequantize.scale : (values[i] as number);
    if (v < -1e-6 || v > 1 + 1e-6) return false;
    sum += v;
  }
  return sum > 0.25 && sum < 1.5;
}

/** The kind when the entry names none, from the task and the file's outputs. */
function inferKind(task: CatalogTask, info: ModelFileInfo, seen: readonly SeenOutput[], classes: number | undefined, size: { width: number; height: number }): string | undefined {
  if (task === 'classify') return 'probabilities';
  if (task === 'segment') {
    if (seen.length !== 1) return undefined;
    return /int/.test((seen[0] as SeenOutput).dtype) ? 'class-map' : 'logits';
  }
  if (info.format === 'tflite' && seen.length === 4) return 'tflite-ssd';
  if (seen.length === 1 && (seen[0] as SeenOutput).dims.length === 3) {
    const [, a, b] = (seen[0] as SeenOutput).dims as [number, number, number];
    if (info.ultralytics || (classes !== undefined && a === 4 + classes)) return 'yolo-v8';
    if (a === anchors(size.width, size.height, YOLOX_STRIDES)) return 'yolox-grid';
    if (b > a) return 'yolo-v8';
  }
  return undefined;
}

export function resolveOutput(
  entry: CatalogEntry,
  info: ModelFileInfo,
  seen: readonly SeenOutput[],
  classes: number | undefined,
  size: { width: number; height: number },
): { resolved?: ResolvedOutput; problems: Problem[] } {
  const problems: Problem[] = [];
  const fail = (field: string, message: string) => problems.push({ id: entry.id, field, message });
  const given = entry.output ?? {};
  const kind = given.kind ?? inferKind(entry.task, info, seen, classes, size);
  if (!kind) {
    fail('output.kind', `cannot tell the ${entry.task} output kind from the file's outputs ${describe(seen)}; say one of ${kindsOf(entry.task).join(', ')}`);
    return { problems };
  }
  if (!kindsOf(entry.task).includes(kind)) {
    fail('output.kind', `'${kind}' cannot answer ${entry.task}; use ${kindsOf(entry.task).join(' or ')}`);
    return { problems };
  }
  const byName = (field: string, name: string | undefined): SeenOutput | undefined => {
    if (name === undefined) {
      if (seen.length === 1) return seen[0];
      fail(field, `the file has ${seen.length} outputs (${describe(seen)}): name one`);
      return undefined;
    }
    const found = seen.find((o) => o.name === name);
    if (!found) fail(field, `the file has no output '${name}'; it has ${describe(seen)}`);
    return found;
  };
  const quantOf = (name: string) => info.outputs.find((o) => o.name === name)?.quantization;
  const dequantize: ResolvedOutput['dequantize'] = {};
  const floatOrDequantized = (field: string, o: SeenOutput): boolean => {
    if (o.dtype === 'float32') return true;
    const q = quantOf(o.name);
    if (o.dtype === 'uint8' && q) {
      dequantize[o.name] = q;
      return true;
    }
    fail(field, `output '${o.name}' is ${o.dtype}; this kind reads float32 (or quantised uint8)`);
    return false;
  };
  const classCheck = (field: string, o: SeenOutput, found: number, axis: string) => {
    if (classes !== undefined && found !== classes) fail('labels', `${classes} labels, but output '${o.name}' ${showDims(o.dims)} has ${found} classes (${axis})`);
    if (found < 1) fail(field, `output '${o.name}' ${showDims(o.dims)} has no class dimension`);
  };
  const done = (output: OutputJson) => {
    // The worker's declaration of the kind is checked last, so a mismatch is reported once, in this file's words.
    if (problems.length === 0) problems.push(...registryProblems(entry.id, output, seen, Object.keys(dequantize), classes));
    return problems.length > 0 ? { problems } : { resolved: { output, dequantize }, problems };
  };

  switch (kind) {
    case 'probabilities': {
      const o = byName('output.name', given.name);
      if (!o) return { problems };
      if (!floatOrDequantized('output.name', o)) return { problems };
      const found = product(o.dims.slice(1));
      if (o.dims[0] !== 1 || o.dims.slice(1, -1).some((d) => d !== 1)) fail('output', `a classifier's output is [1, classes]; '${o.name}' is ${showDims(o.dims)}`);
      classCheck('output', o, found, 'its last dimension');
      return done({ kind, name: o.name, softmax: given.softmax ?? !looksLikeProbabilities(o.values, dequantize[o.name]) });
    }
    case 'yolo-v8': {
      const o = byName('output.name', given.name);
      if (!o || !floatOrDequantized('output.name', o)) return { problems };
      const [batch, rows, n] = o.dims;
      if (o.dims.length !== 3 || batch !== 1) fail('output', `yolo-v8 reads [1, 4 + classes, anchors]; '${o.name}' is ${showDims(o.dims)}`);
      else if (classes !== undefined && rows !== 4 + classes && n === 4 + classes) fail('output', `'${o.name}' ${showDims(o.dims)} is [1, anchors, 4 + classes]: yolo-v8 reads the export's own [1, 4 + classes, anchors]`);
      else classCheck('output', o, (rows as number) - 4, 'its second dimension minus 4 box rows');
      return done({ kind, name: o.name, nms: given.nms ?? true });
    }
    case 'yolox-grid': {
      const o = byName('output.name', given.name);
      if (!o || !floatOrDequantized('output.name', o)) return { problems };
      const strides = given.strides ?? YOLOX_STRIDES;
      const want = anchors(size.width, size.height, strides);
      if (o.dims.length !== 3 || o.dims[0] !== 1) fail('output', `yolox-grid reads [1, anchors, 5 + classes]; '${o.name}' is ${showDims(o.dims)}`);
      else {
        if (o.dims[1] !== want) fail('output.strides', `strides [${strides.join(', ')}] at ${size.width}x${size.height} make ${want} anchors; '${o.name}' ${showDims(o.dims)} has ${o.dims[1]}`);
        classCheck('output', o, (o.dims[2] as number) - 5, 'its last dimension minus 5');
      }
      return done({ kind, name: o.name, strides, nms: given.nms ?? true });
    }
    case 'detr-boxes': {
      const boxes = byName('output.boxes', given.boxes ?? 'boxes');
      const labels = byName('output.labels', given.labels ?? 'labels');
      const scores = byName('output.scores', given.scores ?? 'scores');
      if (!boxes || !labels || !scores) return { problems };
      const q = boxes.dims[1];
      if (boxes.dims.length !== 3 || boxes.dims[2] !== 4) fail('output.boxes', `detr-boxes reads boxes [1, queries, 4]; '${boxes.name}' is ${showDims(boxes.dims)}`);
      if (labels.dims.length !== 2 || labels.dims[1] !== q || !/int/.test(labels.dtype)) fail('output.labels', `detr-boxes reads integer labels [1, ${q}]; '${labels.name}' is ${labels.dtype} ${showDims(labels.dims)}`);
      if (scores.dims.length !== 2 || scores.dims[1] !== q || scores.dtype !== 'float32') fail('output.scores', `detr-boxes reads float32 scores [1, ${q}]; '${scores.name}' is ${scores.dtype} ${showDims(scores.dims)}`);
      return done({ kind, boxes: boxes.name, labels: labels.name, scores: scores.name, coordinates: given.coordinates ?? 'input', nms: given.nms ?? false });
    }
    case 'tflite-ssd': {
      // TFLite_Detection_PostProcess's outputs, in its order: boxes, classes, scores, count.
      const order = ['boxes', 'classes', 'scores', 'count'] as const;
      const picked = order.map((role, i) => byName(`output.${role}`, given[role] ?? seen[i]?.name));
      const [boxes, cls, scores, count] = picked;
      if (!boxes || !cls || !scores || !count) return { problems };
      const n = boxes.dims[1];
      if (boxes.dims.length !== 3 || boxes.dims[0] !== 1 || boxes.dims[2] !== 4) fail('output.boxes', `tflite-ssd reads boxes [1, N, 4]; '${boxes.name}' is ${showDims(boxes.dims)}`);
      for (const [role, o] of [['classes', cls], ['scores', scores]] as const) {
        if (o.dims.length !== 2 || o.dims[1] !== n) fail(`output.${role}`, `tflite-ssd reads ${role} [1, ${n}]; '${o.name}' is ${showDims(o.dims)}`);
      }
      if (product(count.dims) !== 1) fail('output.count', `tflite-ssd reads a count [1]; '${count.name}' is ${showDims(count.dims)}`);
      for (const [role, o] of [['boxes', boxes], ['classes', cls], ['scores', scores], ['count', count]] as const) floatOrDequantized(`output.${role}`, o);
      // The op has run NMS already.
      return done({ kind, boxes: boxes.name, classes: cls.name, scores: scores.name, count: count.name, nms: given.nms ?? false });
    }
    case 'logits': {
      const o = byName('output.name', given.name);
      if (!o || !floatOrDequantized('output.name', o)) return { problems };
      if (o.dims.length !== 4 || o.dims[0] !== 1) {
        fail('output', `logits reads [1, H, W, C] or [1, C, H, W]; '${o.name}' is ${showDims(o.dims)}`);
        return { problems };
      }
      // The class axis is the small one (21 classes against a 257x257 map), unless the entry says.
      const layout = given.layout ?? ((o.dims[3] as number) <= (o.dims[1] as number) ? 'NHWC' : 'NCHW');
      classCheck('output', o, (layout === 'NHWC' ? o.dims[3] : o.dims[1]) as number, layout === 'NHWC' ? 'its last dimension' : 'its second dimension');
      return done({ kind, name: o.name, layout });
    }
    case 'class-map': {
      const o = byName('output.name', given.name);
      if (!o) return { problems };
      if (!(o.dtype === 'int32' || o.dtype === 'int64')) fail('output.name', `a class map is int32 or int64 class indices; '${o.name}' is ${o.dtype}`);
      if (!(o.dims.length === 2 || (o.dims.length === 3 && o.dims[0] === 1))) fail('output', `a class map is [1, H, W] or [H, W]; '${o.name}' is ${showDims(o.dims)}`);
      return done({ kind, name: o.name });
    }
  }
  fail('output.kind', `'${kind}' is not an output kind cvkit decodes`);
  return { problems };
}
