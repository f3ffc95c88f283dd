/**
 * Workers AI cannot run offline: these tests drive the provider with a binding object that records what it is sent
 * and answers in the documented output shapes of @cf/microsoft/resnet-50 and @cf/facebook/detr-resnet-50.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, modelDir } from '../../../../test/support/fixtures';
import { UpstreamFailure } from '../runtimes/oip-v2/upstream-error';
import { type AiBinding, createWorkersAiProvider, WORKERS_AI_MODELS } from './workers-ai';

const imagenet = readFileSync(resolve(modelDir, 'labels/imagenet_1001.txt'), 'utf8').split('\n').filter(Boolean);
const coco = readFileSync(resolve(modelDir, 'labels/coco_80.txt'), 'utf8').split('\n').filter(Boolean);

function binding(answer: (model: string) => unknown) {
  const calls: { model: string; bytes: number; first: number[] }[] = [];
  const ai: AiBinding = {
    async run(model, inputs) {
      calls.push({ model, bytes: inputs.image.length, first: inputs.image.slice(0, 3) });
      const a = answer(model);
      if (a instanceof Error) throw a;
      return a;
    },
  };
  return { ai, calls };
}

const photo = fixture('pets.jpg'); // 1024x... JPEG

describe('Workers AI provider', () => {
  it('classify: sends the image bytes to resnet-50 and maps {label, score} to ranked predictions with ImageNet indices', async () => {
    const { ai, calls } = binding(() => [
      { label: 'TABBY', score: 0.2 },
      { label: 'Egyptian cat', score: 0.7 },
      { label: 'not-an-imagenet-name', score: 0.05 },
    ]);
    const provider = createWorkersAiProvider({ ai, imagenetLabels: imagenet, cocoLabels: coco });
    const result = await provider.classify({ image: photo, options: { top_k: 2 } });
    expect(calls).toEqual([{ model: WORKERS_AI_MODELS.classify, bytes: photo.length, first: [0xff, 0xd8, 0xff] }]);
    expect(result.model).toBe('@cf/microsoft/resnet-50');
    expect(result.image.width).toBeGreaterThan(0);
    const egyptian = imagenet.findIndex((l) => l.startsWith('Egyptian cat'));
    const tabby = imagenet.findIndex((l) => l.split(',').some((n) => n.trim() === 'tabby'));
    expect(result.predictions).toEqual([
      { label: 'Egyptian cat', index: egyptian, score: 0.7, synset: imagenet[egyptian] },
      { label: imagenet[tabby]?.split(',')[0], index: tabby, score: 0.2, synset: imagenet[tabby] },
    ]);
    const unknown = await provider.classify({ image: photo, options: { top_k: 3 } });
    expect(unknown.predictions[2]).toEqual({ label: 'not-an-imagenet-name', index: -1, score: 0.05, synset: 'not-an-imagenet-name' });
  });

  it('detect: maps {label, score, box:{xmin..}} to pixel and normalised boxes, clipped, filtered, ranked', async () => {
    const { ai } = binding(() => [
      { label: 'dog', score: 0.91, box: { xmin: 10, ymin: 20, xmax: 110, ymax: 220 } },
      { label: 'cat', score: 0.97, box: { xmin: -5, ymin: 0, xmax: 1e6, ymax: 50 } },
      { label: 'dog', score: 0.3, box: { xmin: 0, ymin: 0, xmax: 1, ymax: 1 } },
    ]);
    const provider = createWorkersAiProvider({ ai, imagenetLabels: imagenet, cocoLabels: coco });
    const { image, detections } = await provider.detect({ image: photo, options: { threshold: 0.5, max_detections: 10 } });
    expect(detections.map((d) => [d.label, d.index, d.score])).toEqual([
      ['cat', coco.indexOf('cat'), 0.97],
      ['dog', coco.indexOf('dog'), 0.91],
    ]);
    expect(detections[0]?.box).toEqual({ x1: 0, y1: 0, x2: image.width, y2: 50 });
    expect(detections[1]?.box).toEqual({ x1: 10, y1: 20, x2: 110, y2: 220 });
    expect(detections[1]?.box_normalized).toEqual({ x1: 10 / image.width, y1: 20 / image.height, x2: 110 / image.width, y2: 220 / image.height });
    const dogs = await provider.detect({ image: photo, options: { threshold: 0.1, max_detections: 1, classes: ['dog'] } });
    expect(dogs.detections.map((d) => d.score)).toEqual([0.91]);
    await expect(provider.detect({ image: photo, options: { threshold: 0.1, max_detections: 1, classes: ['unicorn'] } })).rejects.toMatchObject({ code: 'invalid_option' });
  });

  it('an answer not in the documented shape is upstream_error; a binding failure is summarised', async () => {
    const bad = createWorkersAiProvider({ ai: binding(() => ({ result: 'nope' })).ai });
    const error = await bad.classify({ image: photo, options: { top_k: 1 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamFailure);
    expect(error).toMatchObject({ code: 'upstream_error', status: 502 });
    const boxes = createWorkersAiProvider({ ai: binding(() => [{ label: 'dog', score: 2, box: {} }]).ai });
    await expect(boxes.detect({ image: photo, options: { threshold: 0, max_detections: 1 } })).rejects.toMatchObject({ code: 'upstream_error' });
    const failing = createWorkersAiProvider({ ai: binding(() => new Error('3040: Capacity temporarily exceeded\nstack...')).ai });
    const e = (await failing.classify({ image: photo, options: { top_k: 1 } }).catch((x: unknown) => x)) as Error;
    expect(e.message).toContain('Capacity temporarily exceeded');
    expect(e.message).not.toContain('\n');
  });

  it('an unreadable image never reaches the binding', async () => {
    const { ai, calls } = binding(() => []);
    await expect(createWorkersAiProvider({ ai }).classify({ image: new Uint8Array([1, 2, 3]), options: { top_k: 1 } })).rejects.toMatchObject({
      code: 'unsupported_media_type',
    });
    expect(calls).toHaveLength(0);
  });
});
