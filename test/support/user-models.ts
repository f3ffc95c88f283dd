/**
 * Real user models for the catalog tests, built from the model pack at test time (never committed): pack files
 * under new ids and label lists, and an Ultralytics-layout detector made from YOLOX by appending ONNX ops, so
 * that its answers must equal YOLOX's. Shared by the installer's tests and the workerd tests of user catalogs.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { concatBytes } from '../../packages/worker/src/image/bytes';
import { writeVarint } from '../../packages/oip-server/src/protobuf';
import { type ProtoField, protoFields } from '../../scripts/catalog/protobuf-message';
import { tfliteSsdModel } from './tflite-ssd-model';
import { repoRoot } from './worker-server';

export const sharedPack = resolve(repoRoot, '../shared/models');

// ---- protobuf writing (onnx.proto field numbers) ----
const utf8 = (s: string) => new TextEncoder().encode(s);
const key = (field: number, wire: number) => writeVarint(field * 8 + wire);
const bytes = (field: number, ...payload: (Uint8Array | number[])[]) => {
  const body = concatBytes(payload);
  return concatBytes([key(field, 2), writeVarint(body.length), body]);
};
const str = (field: number, s: string) => bytes(field, utf8(s));
const int = (field: number, v: number) => concatBytes([key(field, 0), writeVarint(v)]);
/** Re-encodes a parsed field (the levels edited here hold only varint and length-delimited fields). */
const encode = (f: ProtoField) => (typeof f.value === 'number' ? int(f.field, f.value) : bytes(f.field, f.value));

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5 (AttributeProto: name 1, i 3, ints 8, type 20). */
function node(op: string, inputs: string[], outputs: string[], attributes: Uint8Array[] = []): Uint8Array {
  return bytes(1, ...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, `user_${outputs[0]}`), str(4, op), ...attributes.map((a) => bytes(5, a)));
}
const intAttr = (name: string, v: number) => concatBytes([str(1, name), int(3, v), int(20, 2)]);
const intsAttr = (name: string, vs: number[]) => concatBytes([str(1, name), ...vs.map((v) => int(8, v)), int(20, 7)]);

/** TensorProto initializer (graph field 5): dims 1, data_type 2 (FLOAT 1, INT64 7), name 8, raw_data 9. */
function initializer(name: string, dims: number[], data: Float32Array | BigInt64Array): Uint8Array {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return bytes(5, ...dims.map((d) => int(1, d)), int(2, data instanceof Float32Array ? 1 : 7), str(8, name), bytes(9, raw));
}
const int64s = (...v: number[]) => BigInt64Array.from(v.map(BigInt));

/** ValueInfoProto for a float tensor (graph input 11 / output 12). */
const floatValueInfo = (field: number, name: string, dims: number[]) =>
  bytes(field, str(1, name), bytes(2, bytes(1, int(1, 1), bytes(2, ...dims.map((d) => bytes(1, int(1, d)))))));

/** `{0: 'person', 1: 'bicycle', ...}`, as Ultralytics writes `names` into its ONNX metadata. */
export const pythonNames = (names: readonly string[]) => `{${names.map((n, i) => `${i}: '${n.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}}`;

/**
 * An Ultralytics YOLOv8-layout detector from YOLOX-Nano: the input becomes RGB in 0..1 (x255, channels reversed
 * into YOLOX's BGR 0..255), and the head [1, anchors, 85] is decoded in the graph (cx = (x + gx) * s,
 * w = exp(w) * s, class score = objectness * class), then transposed to the export's [1, 4 + 80, anchors] named
 * `output0`, with `names`, `imgsz`, `stride` and `task` metadata. Same network, so the same detections as YOLOX.
 */
export function ultralyticsFromYolox(yolox: Uint8Array, names: readonly string[], size = 416, strides = [8, 16, 32]): Uint8Array {
  const model = protoFields(yolox);
  const graph = protoFields(model.find((f) => f.field === 7)?.value as Uint8Array);
  const isName = (b: Uint8Array, s: string) => new TextDecoder().decode(b) === s;
  // Every node that read the image reads the converted one instead.
  const rewired = graph.map((f) => {
    if (f.field !== 1 || typeof f.value === 'number') return encode(f);
    const fields = protoFields(f.value).map((g) => (g.field === 1 && g.value instanceof Uint8Array && isName(g.value, 'images') ? str(1, 'yolox_images') : encode(g)));
    return bytes(1, ...fields);
  });
  const kept = rewired.filter((_, i) => {
    const f = graph[i] as ProtoField;
    return !(f.field === 12 && f.value instanceof Uint8Array && protoFields(f.value).some((g) => g.field === 1 && g.value instanceof Uint8Array && isName(g.value, 'output')));
  });
  const anchors = strides.reduce((n, s) => n + (size / s) ** 2, 0);
  const grid = new Float32Array(anchors * 2);
  const stride = new Float32Array(anchors);
  let a = 0;
  for (const s of strides) {
    for (let gy = 0; gy < size / s; gy++) {
      for (let gx = 0; gx < size / s; gx++, a++) {
        grid[2 * a] = gx;
        grid[2 * a + 1] = gy;
        stride[a] = s;
      }
    }
  }
  const classes = names.length;
  const added = [
    initializer('user_255', [1], new Float32Array([255])),
    initializer('user_bgr', [3], int64s(2, 1, 0)),
    initializer('user_grid', [1, anchors, 2], grid),
    initializer('user_stride', [1, anchors, 1], stride),
    ...[0, 2, 4, 5, 85].map((v) => initializer(`user_i${v}`, [1], int64s(v))),
    initializer('user_axis2', [1], int64s(2)),
    node('Mul', ['images', 'user_255'], ['images_255']),
    node('Gather', ['images_255', 'user_bgr'], ['yolox_images'], [intAttr('axis', 1)]),
    node('Slice', ['output', 'user_i0', 'user_i2', 'user_axis2'], ['xy_raw']),
    node('Add', ['xy_raw', 'user_grid'], ['xy_grid']),
    node('Mul', ['xy_grid', 'user_stride'], ['xy']),
    node('Slice', ['output', 'user_i2', 'user_i4', 'user_axis2'], ['wh_raw']),
    node('Exp', ['wh_raw'], ['wh_exp']),
    node('Mul', ['wh_exp', 'user_stride'], ['wh']),
    node('Slice', ['output', 'user_i4', 'user_i5', 'user_axis2'], ['objectness']),
    node('Slice', ['output', 'user_i5', 'user_i85', 'user_axis2'], ['class_raw']),
    node('Mul', ['class_raw', 'objectness'], ['class_scores']),
    node('Concat', ['xy', 'wh', 'class_scores'], ['decoded'], [intAttr('axis', 2)]),
    node('Transpose', ['decoded'], ['output0'], [intsAttr('perm', [0, 2, 1])]),
    floatValueInfo(12, 'output0', [1, 4 + classes, anchors]),
  ];
  const newGraph = concatBytes([...kept, ...added]);
  const metadata = Object.entries({ names: pythonNames(names), imgsz: `[${size}, ${size}]`, stride: String(Math.max(...strides)), task: 'detect', description: 'cvkit test model: YOLOX-Nano in the Ultralytics YOLOv8 layout' }).map(([k, v]) => bytes(14, str(1, k), str(2, v)));
  return concatBytes([...model.filter((f) => f.field !== 14).map((f) => (f.field === 7 ? bytes(7, newGraph) : encode(f))), ...metadata]);
}

/** The pack's label lines, first synonym only ("tench, Tinca tinca" -> "tench"). */
export async function packLabels(name: 'imagenet_1001' | 'coco_80' | 'voc_21'): Promise<string[]> {
  const text = await readFile(join(sharedPack, 'labels', `${name}.txt`), 'utf8');
  return text.trimEnd().split('\n').map((l) => (l.split(',')[0] as string).trim());
}

/** What writeUserModels wrote: the catalog file and the label lists the models answer with. */
export interface UserModels {
  catalog: string;
  dir: string;
  /** my-birds' labels: ImageNet's, each as "my <name>" (a list nobody ships). */
  birdLabels: string[];
  cocoLabels: string[];
}

/**
 * Writes a good user catalog into `dir`: `my-birds` (the pack's MobileNet V1 0.25 TFLite, uint8, with its own
 * label file), `my-tflite-meta` (a TFLite whose labels come from its TFLite metadata), `my-onnx-classifier` (an
 * fp32 ONNX MobileNet V2 for edge and GPU, inline mean/std), `my-yolo` (the Ultralytics-layout detector, a bare
 * entry), `my-seg-logits` (DeepLab v3 logits, NHWC), `my-seg-map` (DeepLab's TFLite with the argmax in graph) and
 * `my-ssd` (a TFLite graph ending in TFLite_Detection_PostProcess, see ./tflite-ssd-model.ts).
 */
export async function writeUserModels(dir: string): Promise<UserModels> {
  await mkdir(dir, { recursive: true });
  const imagenet = await packLabels('imagenet_1001');
  const cocoLabels = await packLabels('coco_80');
  const birdLabels = imagenet.map((n) => `my ${n}`);
  await copyFile(join(sharedPack, 'mobilenet_v1_0.25_128_quant.tflite'), join(dir, 'birds.tflite'));
  await writeFile(join(dir, 'birds.txt'), `${birdLabels.join('\n')}\n`);
  await copyFile(join(sharedPack, 'mobilenet_v1_0.25_128_quant.tflite'), join(dir, 'with-metadata.tflite'));
  await copyFile(join(sharedPack, 'mobilenet_v2_1.0_224_quant_dequantized_fp32.onnx'), join(dir, 'classifier.onnx'));
  await writeFile(join(dir, 'yolo.onnx'), ultralyticsFromYolox(new Uint8Array(await readFile(join(sharedPack, 'yolox_nano.onnx'))), cocoLabels));
  await copyFile(join(sharedPack, 'deeplab_v3_1_default_1.onnx'), join(dir, 'seg-logits.onnx'));
  await copyFile(join(sharedPack, 'deeplabv3_mnv2_dm05_pascal_quant_argmax_i32.tflite'), join(dir, 'seg-map.tflite'));
  await copyFile(join(sharedPack, 'labels/voc_21.txt'), join(dir, 'voc.txt'));
  await writeFile(join(dir, 'ssd.tflite'), tfliteSsdModel());
  const catalog = {
    models: [
      { id: 'my-birds', task: 'classify', file: 'birds.tflite', labels: 'birds.txt' },
      { id: 'my-tflite-meta', task: 'classify', file: 'with-metadata.tflite' },
      { id: 'my-onnx-classifier', task: 'classify', file: 'classifier.onnx', labels: 'birds.txt', input: { mean: [128, 128, 128], std: [128, 128, 128] }, where: 'both', license: 'Apache-2.0' },
      { id: 'my-yolo', task: 'detect', file: 'yolo.onnx' },
      { id: 'my-seg-logits', task: 'segment', file: 'seg-logits.onnx', labels: 'voc.txt', input: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] } },
      { id: 'my-seg-map', task: 'segment', file: 'seg-map.tflite', labels: 'voc.txt' },
      { id: 'my-ssd', task: 'detect', file: 'ssd.tflite', labels: ['circle', 'square', 'triangle'] },
    ],
  };
  const path = join(dir, 'models.json');
  await writeFile(path, `${JSON.stringify(catalog, null, 2)}\n`);
  return { catalog: path, dir, birdLabels, cocoLabels };
}

/**
 * A models folder holding the built-in pack and the user models of `writeUserModels`, installed by the real
 * installer, and a wrangler config serving it as the worker's MODELS assets (for workerd tests of user catalogs:
 * `startWorker({ config })`). Nothing under packages/ changes: the worker finds the user models in catalog.json.
 */
export async function userModelsWorker(dir: string): Promise<{ config: string; models: string; user: UserModels }> {
  const user = await writeUserModels(join(dir, 'catalog'));
  const models = join(dir, 'models');
  // @ts-expect-error plain ESM script without types
  const { installAll } = await import('../../scripts/install-models.mjs');
  await installAll({ pack: sharedPack, catalog: user.catalog, dest: models });
  const config = join(dir, 'wrangler.toml');
  const toml = [
    'name = "cvkit-user-models"',
    `main = ${JSON.stringify(join(repoRoot, 'packages/worker/src/index.ts'))}`,
    'compatibility_date = "2026-04-20"',
    '',
    '[assets]',
    `directory = ${JSON.stringify(models)}`,
    'binding = "MODELS"',
    'run_worker_first = true',
    '',
  ].join('\n');
  await writeFile(config, toml);
  return { config, models, user };
}
