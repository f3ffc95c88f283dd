/**
 * A user catalog served by the real worker in workerd with no file under packages/ changed: a models folder holding
 * the built-in pack and the user models of test/support/user-models.ts (installed by `npm run models`'s own code)
 * is the worker's MODELS assets. The user classifiers are pack networks under new ids and label lists, so they must
 * answer as their originals with their own labels; the Ultralytics-layout detector must find what YOLOX finds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClassifyResponse, DetectResponse, ModelList } from '@cvkit/sdk/contract';
import { fixture } from './support/fixtures';
import { postImage } from './support/http';
import { type UserModels, userModelsWorker } from './support/user-models';
import { startWorker, type WorkerServer } from './support/worker-server';

let tmp: string;
let worker: WorkerServer;
let user: UserModels;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cvkit-user-worker-'));
  const made = await userModelsWorker(tmp);
  user = made.user;
  worker = await startWorker({ config: made.config });
}, 300_000);
afterAll(async () => {
  await worker?.stop();
  await rm(tmp, { recursive: true, force: true });
});

async function post<T>(path: string, parse: { parse(v: unknown): T }): Promise<T> {
  const res = await postImage(`${worker.url}${path}`, fixture('pets.jpg'), 'image/jpeg');
  expect(res.status, await res.clone().text()).toBe(200);
  return parse.parse(await res.json());
}

describe('a user catalog in workerd', () => {
  it('lists the user models in /v1/models beside the built-in ones', async () => {
    const { models } = ModelList.parse(await (await fetch(`${worker.url}/v1/models`)).json());
    const ids = models.map((m) => m.id);
    for (const id of ['my-birds', 'my-tflite-meta', 'my-onnx-classifier', 'my-yolo', 'my-seg-logits', 'my-seg-map', 'my-ssd', 'mobilenet_v2_1.0_224_quant']) expect(ids).toContain(id);
    expect(models.find((m) => m.id === 'my-yolo')).toMatchObject({ task: 'detect', runtime: 'ort-web', input: { width: 416, height: 416 } });
  });

  for (const [mine, original] of [
    ['my-birds', 'mobilenet_v1_0.25_128_quant'],
    ['my-onnx-classifier', 'mobilenet_v2_1.0_224'],
  ] as const) {
    it(`${mine} answers as ${original} does, with its own labels (pets.jpg)`, async () => {
      const theirs = await post(`/v1/classify?model=${original}&top_k=3`, ClassifyResponse);
      const ours = await post(`/v1/classify?model=${mine}&top_k=3`, ClassifyResponse);
      expect(ours.model.id).toBe(mine);
      expect(ours.predictions.map((p) => p.index)).toEqual(theirs.predictions.map((p) => p.index));
      expect(ours.predictions.map((p) => p.label)).toEqual(theirs.predictions.map((p) => user.birdLabels[p.index]));
      ours.predictions.forEach((p, i) => expect(p.score).toBeCloseTo(theirs.predictions[i]?.score as number, 2));
    });
  }

  it('my-yolo (a bare Ultralytics entry: names and size from the file) finds the two dogs YOLOX finds', async () => {
    const yolox = await post('/v1/detect?model=yolox_nano', DetectResponse);
    const yolo = await post('/v1/detect?model=my-yolo', DetectResponse);
    expect(yolo.detections.filter((d) => d.label === 'dog')).toHaveLength(2);
    expect(yolo.detections.map((d) => d.label)).toEqual(yolox.detections.map((d) => d.label));
    yolo.detections.forEach((d, i) => {
      const e = yolox.detections[i];
      expect(d.score).toBeCloseTo(e?.score as number, 2);
      for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(Math.abs(d.box[k] - (e?.box[k] as number))).toBeLessThan(1);
    });
  });
});
