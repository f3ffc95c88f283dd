/**
 * A user's own models served from a catalog in workerd, with no file under packages/ changed: a models folder holding
 * the built-in pack plus user files and the catalog.json that `npm run models` writes (docs/models.md), deployed as
 * the worker's assets. Here the user models are pack files under new ids and label lists (a TFLite classifier, and
 * an ONNX detector made the task's default), so the right answers are known. A broken catalog leaves the built-in
 * models serving.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClassifyResponse, DetectResponse, ModelDetail, ModelList } from '@cvkit/sdk/contract';
import manifestJson from '../packages/worker/src/models/manifest.json';
import { createNodeApp } from '../packages/worker/src/node';
import { fixture, modelDir } from './support/fixtures';
import { postImage } from './support/http';
import { repoRoot, startWorker, type WorkerServer } from './support/worker-server';

type Entry = Record<string, unknown>;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A copy of the installed pack (hard links where the file system allows). */
function copyPack(from: string, to: string) {
  for (const name of readdirSync(from)) {
    if (name.startsWith('.') || name === 'catalog.json' || name === 'user') continue;
    const src = join(from, name);
    if (statSync(src).isDirectory()) {
      mkdirSync(join(to, name), { recursive: true });
      copyPack(src, join(to, name));
    } else {
      try {
        linkSync(src, join(to, name));
      } catch {
        copyFileSync(src, join(to, name));
      }
    }
  }
}

/** Installs a pack file as a user model: the file under user/<id>/, its label list, and the catalog entry. */
function userModel(dir: string, from: string, id: string, labels: string[], extra: Entry = {}): { entry: Entry; labels: Entry } {
  const base = structuredClone((manifestJson.models as Entry[]).find((m) => m.id === from) as Entry);
  mkdirSync(join(dir, 'user', id), { recursive: true });
  const artifacts = (base.artifacts as Entry[])
    .filter((a) => a.runtime !== 'oip-v2')
    .map((a) => {
      const file = `user/${id}/${a.file as string}`;
      copyFileSync(join(modelDir, a.file as string), join(dir, file));
      return { ...a, file };
    });
  const text = `${labels.join('\n')}\n`;
  writeFileSync(join(dir, 'user', id, 'labels.txt'), text);
  const spec = { file: `user/${id}/labels.txt`, sha256: sha256(new TextEncoder().encode(text)), format: 'plain', count: labels.length };
  const { where: _w, prefer: _p, ...rest } = base;
  return { entry: { ...rest, id, provenance: `test: ${from} under a new id`, labels: `user:${id}`, default: false, artifacts, ...extra }, labels: spec };
}

const packLabels = (file: string) =>
  readFileSync(join(modelDir, file), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => (l.split(',')[0] as string).trim());

let dir: string;
let worker: WorkerServer;

beforeAll(async () => {
  dir = mkdtempSync(join(repoRoot, 'test-results', 'catalog-'));
  const models = join(dir, 'models');
  mkdirSync(models, { recursive: true });
  copyPack(modelDir, models);
  // Label lists of their own: ImageNet's names in capitals, COCO's with a prefix.
  const classifier = userModel(models, 'mobilenet_v1_0.75_192_quant', 'shop-classifier', packLabels('labels/imagenet_1001.txt').map((l) => l.toUpperCase()));
  const detector = userModel(models, 'yolox_nano', 'shop-detector', packLabels('labels/coco_80.txt').map((l) => `shop ${l}`), { default: true });
  writeFileSync(
    join(models, 'catalog.json'),
    JSON.stringify({ labels: { 'user:shop-classifier': classifier.labels, 'user:shop-detector': detector.labels }, models: [classifier.entry, detector.entry] }),
  );
  writeFileSync(
    join(dir, 'wrangler.toml'),
    [
      'name = "cvkit-catalog-test"',
      `main = "${resolve(repoRoot, 'packages/worker/src/index.ts')}"`,
      'compatibility_date = "2026-04-20"',
      '[assets]',
      `directory = "${models}"`,
      'binding = "MODELS"',
      'run_worker_first = true',
    ].join('\n'),
  );
  worker = await startWorker({ config: join(dir, 'wrangler.toml') });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('user models from a catalog, in workerd', () => {
  it('GET /v1/models lists them, from the catalog, the user detector as the detect default', async () => {
    const { models } = ModelList.parse(await (await fetch(`${worker.url}/v1/models`)).json());
    const mine = models.filter((m) => m.source === 'catalog').map((m) => `${m.task}:${m.id}:${m.default}`);
    expect(mine.sort()).toEqual(['classify:shop-classifier:false', 'detect:shop-detector:true']);
    expect(models.find((m) => m.id === 'deimv2_hgnetv2_femto_coco')?.default).toBe(false);
    expect(models.find((m) => m.id === 'mobilenet_v2_1.0_224_quant')).toMatchObject({ default: true, source: 'builtin' });
    const detail = ModelDetail.parse(await (await fetch(`${worker.url}/v1/models/shop-classifier`)).json());
    expect(detail.label_names[935]).toBe('HOTDOG');
    expect(detail.runtime).toBe('litert');
  });

  it('classifies with the user classifier and its own labels', async () => {
    const res = await postImage(`${worker.url}/v1/classify?model=shop-classifier&top_k=3`, fixture('hot_dog.jpg'), 'image/jpeg');
    const body = ClassifyResponse.parse(await res.json());
    expect(body.model).toMatchObject({ id: 'shop-classifier', source: 'catalog' });
    expect(body.predictions[0]).toMatchObject({ label: 'HOTDOG', index: 935 });
  });

  it('detects with the user detector by default, with the same boxes as the built-in YOLOX, and filters by its label names', async () => {
    const mine = DetectResponse.parse(await (await postImage(`${worker.url}/v1/detect`, fixture('pets.jpg'), 'image/jpeg')).json());
    expect(mine.model.id).toBe('shop-detector');
    const yolox = DetectResponse.parse(await (await postImage(`${worker.url}/v1/detect?model=yolox_nano`, fixture('pets.jpg'), 'image/jpeg')).json());
    expect(mine.detections.map((d) => d.label)).toEqual(yolox.detections.map((d) => `shop ${d.label}`));
    expect(mine.detections.map((d) => d.box)).toEqual(yolox.detections.map((d) => d.box));
    expect(mine.detections.filter((d) => d.label === 'shop dog').length).toBe(2);
    const dogs = DetectResponse.parse(await (await postImage(`${worker.url}/v1/detect?classes=shop%20dog`, fixture('pets.jpg'), 'image/jpeg')).json());
    expect(dogs.detections.map((d) => d.label)).toEqual(['shop dog', 'shop dog']);
    // A picture answer draws the user's labels.
    const picture = await postImage(`${worker.url}/v1/detect?format=image`, fixture('pets.jpg'), 'image/jpeg');
    expect(picture.headers.get('content-type')).toBe('image/jpeg');
    expect(picture.headers.get('x-detections')).toBe(String(mine.detections.length));
  });

  it('a batch and /v1/analyze use them too', async () => {
    const form = new FormData();
    form.append('images', new Blob([fixture('pets.jpg')], { type: 'image/jpeg' }));
    form.append('images', new Blob([fixture('hot_dog.jpg')], { type: 'image/jpeg' }));
    form.append('model', 'shop-classifier');
    const batch = (await (await fetch(`${worker.url}/v1/classify`, { method: 'POST', body: form })).json()) as { results: ClassifyResponse[] };
    expect(batch.results.map((r) => r.model.id)).toEqual(['shop-classifier', 'shop-classifier']);
    expect(batch.results[1]?.predictions[0]?.label).toBe('HOTDOG');
    const analyze = await postImage(`${worker.url}/v1/analyze?tasks=classify,detect&classify.model=shop-classifier`, fixture('pets.jpg'), 'image/jpeg');
    const body = (await analyze.json()) as { results: { classify: ClassifyResponse; detect: DetectResponse } };
    expect(body.results.classify.model.id).toBe('shop-classifier');
    expect(body.results.detect.model.id).toBe('shop-detector');
  });
});

describe('a broken catalog', () => {
  it('is not served, and the built-in models keep serving (Node host, same code)', async () => {
    const broken = mkdtempSync(join(repoRoot, 'test-results', 'catalog-broken-'));
    try {
      copyPack(modelDir, broken);
      const bad = userModel(broken, 'yolox_nano', 'mobilenet_v2_1.0_224_quant', packLabels('labels/coco_80.txt'));
      writeFileSync(join(broken, 'catalog.json'), JSON.stringify({ labels: { 'user:mobilenet_v2_1.0_224_quant': bad.labels }, models: [bad.entry] }));
      const errors: unknown[] = [];
      const log = console.error;
      console.error = (...args: unknown[]) => void errors.push(args.join(' '));
      try {
        const app = createNodeApp({ modelDir: broken });
        const res = await app.request('/v1/classify', { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: fixture('hot_dog.jpg') });
        expect(ClassifyResponse.parse(await res.json()).predictions[0]?.label).toBe('hotdog');
        const { models } = ModelList.parse(await (await app.request('/v1/models')).json());
        expect(models.every((m) => m.source !== 'catalog')).toBe(true);
      } finally {
        console.error = log;
      }
      expect(String(errors)).toMatch(/user catalog is not served.*mobilenet_v2_1.0_224_quant: this id is built in/);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
