/**
 * The embedding pipeline on real photos with LiteRT.js in Node (the same WASM build as workerd) and the pack's
 * MobileNet V1 embedding extractor: a photo and its re-encoded, shrunk or mirrored copies point the same way;
 * photos of different things point elsewhere.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEmbedding } from '@cvkit/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, modelDir } from '../../../../test/support/fixtures';
import { recode } from '../../../../test/support/recode';
import { imageSource } from '../http/task';
import type { InputSpec, TensorInput } from '../models/manifest';
import { nodeRuntimes } from '../node';
import type { LoadedModel } from '../runtimes/types';
import { createTimer } from '../timings';
import { encodeEmbedding } from './encoding';
import { type EmbedContext, embedPipeline } from './pipeline';
import { dot, similarityMatrix } from './similarity-matrix';

const FILE = 'mobilenet_v1_1.0_224_quant_embedding_extractor.tflite';
const OUTPUT = 'MobilenetV1/Logits/AvgPool_1a/AvgPool';
// The model's own input quantisation (scale 1/128, zero point 128) is (px - 128) / 128; its output's, read from the
// .tflite file's tensor (scale 0.0235..., zero point 0: ReLU6 features, never negative).
const input: InputSpec = { width: 224, height: 224, channels: 'RGB', resize: 'stretch', mean: [128, 128, 128], std: [128, 128, 128] };
const tensorInput: TensorInput = { name: 'input', layout: 'NHWC', dtype: 'uint8', quantization: { scale: 0.0078125, zero_point: 128 } };
const artifact = { key: 'embedding@litert', input: tensorInput, output: { kind: 'embedding', name: OUTPUT }, dequantize: { [OUTPUT]: { scale: 0.023528477177023888, zero_point: 0 } } };

let runner: LoadedModel;
beforeAll(async () => {
  const litert = nodeRuntimes().find((r) => r.name === 'litert');
  if (!litert) throw new Error('no LiteRT runtime in Node');
  runner = await litert.load({ artifact: artifact as never, bytes: new Uint8Array(readFileSync(join(modelDir, FILE))) });
});

const embed = async (bytes: Uint8Array) => {
  const ctx: EmbedContext = { model: { input }, artifact, runner, image: imageSource(bytes), timer: createTimer() };
  return (await embedPipeline(ctx)).embedding;
};

// Every fixture photo of a different thing: not the masks, not the second bird (bird_segmentation.png, 0.64 with
// bird.png: the same kind of thing), not dog_segmentation.png (128x128: halving it leaves too little to see).
const PHOTOS = ['bird.png', 'cat.png', 'dragonfly.png', 'grace_hopper.png', 'hot_dog.jpg', 'kite_and_cold.jpg', 'parrot.jpg', 'pets.jpg', 'squat.png', 'two_people_snow.png'];

describe('embedPipeline (LiteRT.js, MobileNet V1 embedding extractor)', () => {
  it('gives a 1024-dimension vector of norm 1 (within 1e-3) for every photo', async () => {
    for (const name of PHOTOS) {
      const v = await embed(fixture(name));
      expect(v.length).toBe(1024);
      expect(Math.abs(Math.sqrt(dot(v, v)) - 1), name).toBeLessThan(1e-3);
    }
  });

  it('same photo: JPEG quality 50 at half size >= 0.9, mirrored >= 0.8; different photos clearly lower than any of those', async () => {
    const same: number[] = [];
    const originals: Float32Array[] = [];
    for (const name of PHOTOS) {
      const bytes = fixture(name);
      const original = await embed(bytes);
      originals.push(original);
      const recoded = dot(original, await embed(recode(bytes, { scale: 0.5, quality: 50 })));
      const mirrored = dot(original, await embed(recode(bytes, { mirror: true })));
      expect(recoded, `${name}: JPEG quality 50 at half size`).toBeGreaterThanOrEqual(0.9);
      expect(mirrored, `${name}: mirrored`).toBeGreaterThanOrEqual(0.8);
      same.push(recoded, mirrored);
    }
    const matrix = similarityMatrix(originals);
    const different = matrix.flatMap((row, i) => row.filter((_, j) => j !== i));
    const worstSame = Math.min(...same);
    const bestDifferent = Math.max(...different);
    // "Clearly": a margin of at least 0.1 between the least similar copy and the most similar pair of different photos.
    expect(bestDifferent, `different photos ${bestDifferent.toFixed(3)} vs same-photo copies ${worstSame.toFixed(3)}`).toBeLessThan(worstSame - 0.1);
  });

  it('base64 decodes to the same vector as the float encoding', async () => {
    const v = await embed(fixture('parrot.jpg'));
    const asFloat = decodeEmbedding(encodeEmbedding(v, 'float').embedding);
    const asBase64 = decodeEmbedding(encodeEmbedding(v, 'base64').embedding);
    expect(Array.from(asBase64)).toEqual(Array.from(v));
    expect(Array.from(asFloat)).toEqual(Array.from(v));
  });

  it('refuses an artifact whose output is not an embedding', async () => {
    const ctx: EmbedContext = { model: { input }, artifact: { ...artifact, output: { kind: 'probabilities', name: OUTPUT } }, runner, image: imageSource(fixture('cat.png')), timer: createTimer() };
    await expect(embedPipeline(ctx)).rejects.toThrow(/output kind 'probabilities', not embedding/);
  });
});
