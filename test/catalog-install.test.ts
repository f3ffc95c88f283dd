/**
 * `npm run models` with a user catalog: real user models (pack files under new ids and labels, and an
 * Ultralytics-layout detector built from YOLOX) are checked against their files in their runtimes and installed
 * with a catalog.json the worker reads; broken catalogs fail with one line per problem and change nothing.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeRuntimes } from '../packages/worker/src/node';
import { decodeImage } from '../packages/worker/src/image/decode';
import { parseManifest, type ArtifactSpec, type InputSpec } from '../packages/worker/src/models/manifest';
import { imageToTensor } from '../packages/worker/src/pipeline/preprocess';
import { nms } from '../packages/worker/src/detect/nms';
import { decodeYoloxGrid } from '../packages/worker/src/detect/yolox-grid';
import { decodeYoloV8 } from '../packages/worker/src/detect/yolo-v8';
import { decodeTfliteSsd } from '../packages/worker/src/detect/tflite-ssd';
import { tfliteSsdModel } from './support/tflite-ssd-model';
import { generateRepository } from '../packages/oip-server/src/generate-repo';
import { prepareCatalog, estimateMemoryMb } from '../scripts/catalog/install-catalog';
import { strToU8, zipSync } from 'fflate';
import { problemLine } from '../scripts/catalog/catalog-entry';
import { parseNames } from '../scripts/catalog/model-file';
import { resolveInput } from '../scripts/catalog/resolve-input';
import { readTfliteInfo } from '../scripts/catalog/tflite-info';
import { serve } from './support/http';
import { pythonNames, sharedPack, type UserModels, writeUserModels } from './support/user-models';
import { repoRoot } from './support/worker-server';

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const builtInIds = ['mobilenet_v2_1.0_224_quant', 'yolox_nano'];

let tmp: string;
let user: UserModels;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cvkit-catalog-'));
  user = await writeUserModels(join(tmp, 'user-models'));
}, 120_000);
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** A catalog beside the good one's files, holding `entries`. */
async function catalogOf(name: string, entries: unknown[]): Promise<string> {
  const path = join(user.dir, `${name}.json`);
  await writeFile(path, JSON.stringify({ models: entries }));
  return path;
}

async function problemsOf(entries: unknown[]): Promise<string[]> {
  const dest = join(tmp, 'untouched');
  const prepared = await prepareCatalog({ catalog: await catalogOf('bad', entries), dest, builtInIds });
  expect(prepared.ok).toBe(false);
  await expect(readdir(dest)).rejects.toThrow(/ENOENT/); // nothing staged, not even the folder
  return prepared.ok ? [] : prepared.problems;
}

type CatalogModel = { id: string; input: InputSpec; labels: string; where: string; prefer: string; source: string; default: boolean; artifacts: (Record<string, unknown> & { runtime: string; output: Record<string, unknown> })[] };

describe('a good catalog', () => {
  let dest: string;
  let catalog: { labels: Record<string, { file: string; sha256: string; count: number; format: string }>; models: CatalogModel[] };
  const model = (id: string) => catalog.models.find((m) => m.id === id) as CatalogModel;
  const logged: string[] = [];

  beforeAll(async () => {
    dest = join(tmp, 'installed');
    const prepared = await prepareCatalog({ catalog: user.catalog, dest, builtInIds, log: (l) => logged.push(l) });
    if (!prepared.ok) throw new Error(prepared.problems.join('\n'));
    await prepared.commit();
    catalog = JSON.parse(await readFile(join(dest, 'catalog.json'), 'utf8'));
  }, 180_000);

  it('installs every model and its labels under models/user/<id>, pinning and printing each sha256', async () => {
    expect(catalog.models.map((m) => m.id)).toEqual(['my-birds', 'my-tflite-meta', 'my-onnx-classifier', 'my-yolo', 'my-seg-logits', 'my-seg-map', 'my-ssd']);
    for (const m of catalog.models) {
      expect(m.source).toBe('catalog');
      for (const a of m.artifacts.filter((x) => x.file)) {
        const bytes = await readFile(join(dest, a.file as string));
        expect(a.sha256).toBe(sha256(bytes));
        expect(a.memory_mb).toBe(estimateMemoryMb(bytes.byteLength));
        expect(logged).toContain(`${m.id}: sha256 ${a.sha256} (${(a.file as string).split('/').pop()}, ${bytes.byteLength} bytes)`);
      }
      const labels = catalog.labels[m.labels];
      expect(m.labels).toBe(`user:${m.id}`);
      const text = await readFile(join(dest, labels?.file as string), 'utf8');
      expect(labels).toMatchObject({ format: 'plain', sha256: sha256(text), count: text.trimEnd().split('\n').length });
    }
    expect((await readdir(dest)).sort()).toEqual(['catalog.json', 'user']);
  });

  it('is in the worker manifest schema (for the kinds it registers already; yolo-v8 and tflite-ssd once the lead adds them)', () => {
    const known = catalog.models.filter((m) => m.artifacts.every((a) => a.output.kind !== 'yolo-v8' && a.output.kind !== 'tflite-ssd'));
    expect(known.length).toBe(5);
    const parsed = parseManifest({ labels: catalog.labels, models: known });
    expect(parsed.models.map((m) => m.id)).toEqual(known.map((m) => m.id));
  });

  it('reads a uint8 TFLite input and its quantisation: the quantisation is the normalisation', () => {
    const birds = model('my-birds');
    expect(birds.input).toEqual({ width: 128, height: 128, channels: 'RGB', resize: 'stretch', mean: [128, 128, 128], std: [128, 128, 128] });
    expect(birds.artifacts).toEqual([
      expect.objectContaining({
        runtime: 'litert',
        file: 'user/my-birds/birds.tflite',
        input: { name: 'input', layout: 'NHWC', dtype: 'uint8', quantization: { scale: 0.0078125, zero_point: 128 } },
        output: { kind: 'probabilities', name: 'MobilenetV1/Predictions/Reshape_1', softmax: false },
        dequantize: { 'MobilenetV1/Predictions/Reshape_1': { scale: 0.00390625, zero_point: 0 } },
      }),
    ]);
    expect(catalog.labels['user:my-birds']?.count).toBe(1001);
    expect(birds.where).toBe('edge');
  });

  it("takes a TFLite file's labels from its TFLite metadata when the entry names none", async () => {
    const text = await readFile(join(dest, 'user/my-tflite-meta/labels.txt'), 'utf8');
    expect(text.split('\n').slice(0, 3)).toEqual(['background', 'tench, Tinca tinca', 'goldfish, Carassius auratus']);
    expect(catalog.labels['user:my-tflite-meta']?.count).toBe(1001);
  });

  it('gives an ONNX model for where: both an oip-v2 artifact serving the same file', () => {
    const onnx = model('my-onnx-classifier');
    expect(onnx.where).toBe('both');
    expect(onnx.artifacts.map((a) => a.runtime)).toEqual(['ort-web', 'oip-v2']);
    expect(onnx.artifacts[1]).toMatchObject({ form: 'raw', source: 'user/my-onnx-classifier/classifier.onnx', input: { name: 'input', layout: 'NCHW', dtype: 'float32' }, output: { kind: 'probabilities', name: 'output_0', softmax: false } });
  });

  it('serves a bare Ultralytics ONNX entry: kind, names, size and letterbox all from the file', async () => {
    const yolo = model('my-yolo');
    expect(yolo.input).toEqual({ width: 416, height: 416, channels: 'RGB', resize: 'letterbox', pad: 114, mean: [0, 0, 0], std: [255, 255, 255] });
    expect(yolo.artifacts[0]).toMatchObject({ runtime: 'ort-web', input: { name: 'images', layout: 'NCHW', dtype: 'float32' }, output: { kind: 'yolo-v8', name: 'output0', nms: true } });
    expect((await readFile(join(dest, 'user/my-yolo/labels.txt'), 'utf8')).trimEnd().split('\n')).toEqual(user.cocoLabels);
  });

  it('infers segmentation logits (NHWC) and an in-graph class map', () => {
    expect(model('my-seg-logits').artifacts[0]?.output).toEqual({ kind: 'logits', name: 'ResizeBilinear_3', layout: 'NHWC' });
    expect(model('my-seg-map').artifacts[0]?.output).toEqual({ kind: 'class-map', name: 'ArgMax' });
    expect(model('my-seg-map').input.std[0]).toBeCloseTo(1 / 0.007812, 3);
  });

  it('infers tflite-ssd from a TFLite file ending in TFLite_Detection_PostProcess (its four outputs in order)', () => {
    const ssd = model('my-ssd');
    expect(ssd.input).toEqual({ width: 4, height: 4, channels: 'RGB', resize: 'stretch', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] });
    expect(ssd.artifacts[0]).toMatchObject({
      runtime: 'litert',
      input: { name: 'image', layout: 'NHWC', dtype: 'float32' },
      output: { kind: 'tflite-ssd', boxes: 'TFLite_Detection_PostProcess', classes: 'TFLite_Detection_PostProcess:1', scores: 'TFLite_Detection_PostProcess:2', count: 'TFLite_Detection_PostProcess:3', nms: false },
    });
  });

  it('npm run gpu:repo serves the user ONNX models of catalog.json in the Triton repository', async () => {
    const out = join(tmp, 'gpu-repo');
    const configs = await generateRepository({ modelDir: dest, outDir: out, only: ['my-onnx-classifier', 'my-birds'], kind: 'KIND_CPU' });
    expect(configs.map((c) => c.name)).toEqual(['my-onnx-classifier']);
    expect(configs[0]).toMatchObject({ input: [{ name: 'input', data_type: 'TYPE_FP32', dims: [1, 3, 224, 224] }], output: [{ name: 'output_0', data_type: 'TYPE_FP32', dims: [1, 1001] }] });
    expect(sha256(await readFile(join(out, 'my-onnx-classifier/1/model.onnx')))).toBe(model('my-onnx-classifier').artifacts[0]?.sha256);
  });

  it('replaces the previous user models on the next install, and a user model may be the default', async () => {
    const prepared = await prepareCatalog({
      catalog: await catalogOf('one', [{ id: 'my-default', task: 'classify', file: 'birds.tflite', labels: 'birds.txt', default: true }]),
      dest,
      builtInIds,
    });
    if (!prepared.ok) throw new Error(prepared.problems.join('\n'));
    await prepared.commit();
    const next = JSON.parse(await readFile(join(dest, 'catalog.json'), 'utf8'));
    expect(next.models.map((m: CatalogModel) => [m.id, m.default])).toEqual([['my-default', true]]);
    expect(await readdir(join(dest, 'user'))).toEqual(['my-default']);
    expect((await readdir(dest)).sort()).toEqual(['catalog.json', 'user']);
  });
});

describe('the Ultralytics-layout detector built from YOLOX', () => {
  it('gives the same detections through the yolo-v8 decoder as YOLOX through the yolox-grid decoder (pets.jpg: two dogs)', async () => {
    const ort = nodeRuntimes().find((r) => r.name === 'ort-web');
    if (!ort) throw new Error('no ort-web runtime');
    const image = await decodeImage(new Uint8Array(await readFile(join(repoRoot, '../shared/fixtures/images/pets.jpg'))));
    const run = async (file: string, spec: InputSpec, input: string, output: string) => {
      const artifact = { key: file, session: { graphOptimizationLevel: 'all' } } as unknown as ArtifactSpec;
      const loaded = await ort.load({ artifact, bytes: new Uint8Array(await readFile(file)) });
      try {
        const { tensor } = imageToTensor(image, spec, { name: input, layout: 'NCHW', dtype: 'float32' });
        const out = await loaded.run({ [input]: tensor });
        return out[output]?.data as Float32Array;
      } finally {
        await loaded.release();
      }
    };
    const letterbox = { width: 416, height: 416, resize: 'letterbox', pad: 114 } as const;
    const yoloxOut = await run(join(sharedPack, 'yolox_nano.onnx'), { ...letterbox, channels: 'BGR', mean: [0, 0, 0], std: [1, 1, 1] }, 'images', 'output');
    const yoloOut = await run(join(user.dir, 'yolo.onnx'), { ...letterbox, channels: 'RGB', mean: [0, 0, 0], std: [255, 255, 255] }, 'images', 'output0');
    expect(yoloOut.length).toBe(84 * 3549);
    const filter = { threshold: 0.3 };
    const expected = nms(decodeYoloxGrid(yoloxOut, { width: 416, height: 416, strides: [8, 16, 32], classes: 80 }, filter), 0.45, 100);
    const got = nms(decodeYoloV8(yoloOut, 80, filter), 0.45, 100);
    expect(expected.filter((c) => user.cocoLabels[c.classIndex] === 'dog')).toHaveLength(2);
    expect(got.map((c) => c.classIndex)).toEqual(expected.map((c) => c.classIndex));
    got.forEach((c, i) => {
      const e = expected[i] as (typeof expected)[number];
      expect(c.score).toBeCloseTo(e.score, 3);
      for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(c.box[k]).toBeCloseTo(e.box[k], 1);
    });
  });
});

describe('the TFLite_Detection_PostProcess graph', () => {
  it('answers, through LiteRT.js and the tflite-ssd decoder, the box its anchor and encoding make', async () => {
    const litert = nodeRuntimes().find((r) => r.name === 'litert');
    if (!litert) throw new Error('no litert runtime');
    const loaded = await litert.load({ artifact: { key: 'my-ssd@litert' } as unknown as ArtifactSpec, bytes: tfliteSsdModel() });
    try {
      // Anchor 7 (centre y 0.875, x 0.5, h 0.25, w 0.3): encoding (0, 0, 0, 0.9), which is also its class row
      // (background 0, classes 0, 0, 0.9): class 2 scores 0.9; its width grows by exp(0.9 / w_scale 5).
      const image = new Float32Array(48);
      image.set([0, 0, 0, 0.9], 7 * 4);
      const out = await loaded.run({ image: { dtype: 'float32', dims: [1, 4, 4, 3], data: image } });
      const data = (name: string) => out[name]?.data as Float32Array;
      const candidates = decodeTfliteSsd(
        { boxes: data('TFLite_Detection_PostProcess'), classes: data('TFLite_Detection_PostProcess:1'), scores: data('TFLite_Detection_PostProcess:2'), count: data('TFLite_Detection_PostProcess:3') },
        { width: 100, height: 200, classes: 3 },
        { threshold: 0.5 },
      );
      const w = 0.3 * Math.exp(0.9 / 5);
      expect(candidates).toHaveLength(1);
      expect(candidates[0]?.classIndex).toBe(2);
      expect(candidates[0]?.score).toBeCloseTo(0.9, 5);
      const box = candidates[0]?.box;
      expect(box?.x1).toBeCloseTo((0.5 - w / 2) * 100, 3);
      expect(box?.x2).toBeCloseTo((0.5 + w / 2) * 100, 3);
      expect(box?.y1).toBeCloseTo((0.875 - 0.125) * 200, 3);
      expect(box?.y2).toBeCloseTo((0.875 + 0.125) * 200, 3);
    } finally {
      await loaded.release();
    }
  });
});

describe('a broken catalog', () => {
  const good = { id: 'my-birds', task: 'classify', file: 'birds.tflite', labels: 'birds.txt' };

  it('names the model and the field for each problem, in one line each', async () => {
    const problems = await problemsOf([
      { ...good, id: 'bad-task', task: 'count' },
      { ...good, id: 'no-file', file: 'missing.tflite' },
      { ...good, id: 'bad-sha', sha256: 'a'.repeat(64) },
      { ...good, id: 'bad-labels', labels: ['bird', 'not a bird'] },
      { ...good, id: 'bad-kind', task: 'detect', output: { kind: 'yolo-v8' } },
      { ...good, id: 'bad-where', where: 'gpu', prefer: 'gpu' },
      { ...good, id: 'bad-field', lables: 'birds.txt' },
      { ...good, id: 'bad-norm', input: { mean: [127.5, 127.5, 127.5] } },
      { ...good, id: 'yolox_nano' },
      { id: 'bad-yolox', task: 'detect', file: 'yolo.onnx', output: { kind: 'yolox-grid' } },
      { id: 'no-labels', task: 'classify', file: 'classifier.onnx' },
    ]);
    const expected: RegExp[] = [
      /^bad-task: task: unknown task "count"; known: classify, detect, segment$/,
      /^no-file: file: cannot read .*missing\.tflite \(ENOENT\)$/,
      /^bad-sha: sha256: the file's sha256 is cb273c23[0-9a-f]{56}, the entry says a{64}$/,
      /^bad-labels: labels: 2 labels, but output 'MobilenetV1\/Predictions\/Reshape_1' \[1, 1001\] has 1001 classes/,
      /^bad-kind: output: yolo-v8 reads \[1, 4 \+ classes, anchors\]; 'MobilenetV1\/Predictions\/Reshape_1' is \[1, 1001\]$/,
      /^bad-where: where: 'gpu': a TFLite model runs on the edge only/,
      /^bad-field: \(entry\): unknown field "lables"$/,
      /^bad-norm: input\.mean: the file's uint8 input 'input' is quantised with scale 0\.0078125, zero point 128 .*the entry says \[127\.5, 127\.5, 127\.5\]$/,
      /^yolox_nano: id: is a built-in model id/,
      /^bad-yolox: output\.strides: strides \[8, 16, 32\] at 416x416 make 3549 anchors; 'output0' \[1, 84, 3549\] has 84$/,
      /^no-labels: labels: none given, and the file carries none/,
    ];
    for (const pattern of expected) expect(problems, pattern.source).toContainEqual(expect.stringMatching(pattern));
    expect(problems.every((p) => !p.includes('\n') && !/\bat .*:\d+:\d+/.test(p))).toBe(true);
  });

  it('`npm run models` exits 1 with those lines, no stack trace, and the installed folder exactly as it was', async () => {
    const dest = join(tmp, 'cli');
    await mkdir(join(dest, 'user/kept'), { recursive: true });
    await writeFile(join(dest, 'user/kept/labels.txt'), 'kept\n');
    await writeFile(join(dest, 'catalog.json'), '{"labels":{},"models":[]}\n');
    const before = await snapshot(dest);
    const catalog = await catalogOf('cli', [good, { ...good, id: 'bad-labels', labels: ['a'] }, { id: 'no-file', task: 'detect', file: 'nope.onnx' }]);
    const tsx = join(repoRoot, 'node_modules/.bin/tsx');
    const result = await promisify(execFile)(tsx, ['scripts/install-models.mjs', '--catalog', catalog, '--dest', dest, sharedPack], { cwd: repoRoot }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^models: bad-labels: labels: 1 labels, but output .* has 1001 classes/),
      expect.stringMatching(/^models: no-file: file: cannot read .*nope\.onnx \(ENOENT\)$/),
      expect.stringMatching(/^models: the catalog .*cli\.json was not installed \(2 problem\(s\)\); \.\/models is unchanged$/),
    ]);
    expect(await snapshot(dest)).toEqual(before);
  }, 120_000);

  it('copies a model and its labels from http(s), and fails naming the model when the server answers 404', async () => {
    const server = await serve(async (req, res) => {
      const body = await readFile(join(user.dir, decodeURIComponent((req.url ?? '').replace(/^\/files\//, '')))).catch(() => undefined);
      res.writeHead(body ? 200 : 404).end(body);
    });
    try {
      const birds = await readFile(join(user.dir, 'birds.tflite'));
      const dest = join(tmp, 'http');
      const prepared = await prepareCatalog({
        catalog: await catalogOf('http', [{ id: 'my-remote', task: 'classify', file: `${server.url}/files/birds.tflite`, labels: `${server.url}/files/birds.txt`, sha256: sha256(birds) }]),
        dest,
        builtInIds,
      });
      if (!prepared.ok) throw new Error(prepared.problems.join('\n'));
      await prepared.commit();
      expect(await readFile(join(dest, 'user/my-remote/birds.tflite'))).toEqual(birds);
      expect((await readFile(join(dest, 'user/my-remote/labels.txt'), 'utf8')).split('\n')[1]).toBe(user.birdLabels[1]);
      const missing = await problemsOf([{ id: 'my-remote', task: 'classify', file: `${server.url}/files/gone.tflite` }]);
      expect(missing).toEqual([`my-remote: file: ${server.url}/files/gone.tflite answered HTTP 404`]);
    } finally {
      await server.close();
    }
  });
});

/** Every file under `dir` with its bytes' sha256 (staging folders would show up here too). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[join(entry.parentPath, entry.name).slice(dir.length)] = sha256(await readFile(join(entry.parentPath, entry.name)));
    else out[join(entry.parentPath, entry.name).slice(dir.length)] = 'dir';
  }
  return out;
}

describe('reading what a file carries', () => {
  it('reads Ultralytics names as a Python dict literal or a JSON list, and refuses gaps', () => {
    expect(parseNames(pythonNames(['person', "driver's seat", 'back\\slash']))).toEqual(['person', "driver's seat", 'back\\slash']);
    expect(parseNames(`{0: "traffic light", 1: 'stop sign'}`)).toEqual(['traffic light', 'stop sign']);
    expect(parseNames('["a", "b"]')).toEqual(['a', 'b']);
    expect(parseNames("{0: 'a', 2: 'c'}")).toBeUndefined();
    expect(parseNames('not names')).toBeUndefined();
  });

  it("finds a TFLite label file in a zip appended with offsets from the zip's own start, too", async () => {
    const plain = new Uint8Array(await readFile(join(sharedPack, 'deeplabv3_mnv2_dm05_pascal_quant_argmax_i32.tflite')));
    expect(readTfliteInfo(plain).labels).toBeUndefined();
    const zip = zipSync({ 'notes.txt': strToU8('not labels\n'), 'labelmap.txt': strToU8('background\r\ncat\ndog\n\n') });
    const info = readTfliteInfo(new Uint8Array([...plain, ...zip]));
    expect(info).toMatchObject({ labelFile: 'labelmap.txt', labels: ['background', 'cat', 'dog'] });
    expect(info.outputs).toEqual([{ name: 'ArgMax', dtype: 'int32', dims: [1, 513, 513] }]);
  });

  it('asks for the size of an input whose dims are dynamic, and takes it from the entry', () => {
    const info = { format: 'onnx' as const, runtime: 'ort-web' as const, inputs: [{ name: 'images', dtype: 'float32', dims: ['N', 3, 'H', 'W'] }], outputs: [] };
    const bare = resolveInput({ id: 'my-dynamic', task: 'detect', file: 'd.onnx' }, info);
    expect(bare.problems.map(problemLine)).toEqual([
      "my-dynamic: input.height: the file's input 'images' [N, 3, H, W] has a dynamic height: give input.height",
      "my-dynamic: input.width: the file's input 'images' [N, 3, H, W] has a dynamic width: give input.width",
    ]);
    const sized = resolveInput({ id: 'my-dynamic', task: 'detect', file: 'd.onnx', input: { width: 320, height: 256 } }, info);
    expect(sized.problems).toEqual([]);
    expect(sized.resolved?.dims).toEqual([1, 3, 256, 320]);
  });
});
