/**
 * The embedding pipeline on real photos, through the edge provider in Node with LiteRT.js (the same WASM build as
 * workerd) and the manifest's embedding model: a photo and its re-encoded, shrunk or mirrored copies point the same
 * way; photos of different things point elsewhere.
 */
import { decodeEmbedding } from '@cvkit/sdk';
import { describe, expect, it } from 'vitest';
import { fixture, modelDir } from '../../../../test/support/fixtures';
import { recode } from '../../../../test/support/recode';
import { imageSource } from '../http/task';
import { manifest } from '../models/manifest';
import { createNodeProvider } from '../node';
import { createTimer } from '../timings';
import { encodeEmbedding } from './encoding';
import type { EmbedOutput } from './pipeline';
import { dot, similarityMatrix } from './similarity-matrix';

const provider = createNodeProvider({ modelDir, runtimes: ['litert'] });
const model = manifest.models.find((m) => m.task === 'embed' && m.default);

const embed = async (bytes: Uint8Array) => {
  if (!model) throw new Error('no default embed model in the manifest');
  const result = (await provider.run({ image: imageSource(bytes), model, options: {}, timer: createTimer() })) as unknown as EmbedOutput;
  return result.embedding;
};

// Every fixture photo of a different thing: not the masks, not the second bird (bird_segmentation.png, 0.64 with
// bird.png: the same kind of thing), not dog_segmentation.png (128x128: halving it leaves too little to see).
const PHOTOS = ['bird.png', 'cat.png', 'dragonfly.png', 'grace_hopper.png', 'hot_dog.jpg', 'kite_and_cold.jpg', 'parrot.jpg', 'pets.jpg', 'squat.png', 'two_people_snow.png'];

describe('embedPipeline (LiteRT.js, MobileNet V1 embedding extractor)', () => {
  it('the manifest serves the MobileNet V1 extractor on LiteRT.js, its uint8 features dequantised as the file says', async () => {
    expect(model?.id).toBe('mobilenet_v1_1.0_224_quant_embedding_extractor');
    const artifact = model && (await provider.artifact(model));
    expect(artifact).toMatchObject({ runtime: 'litert', output: { kind: 'embedding' }, dequantize: { 'MobilenetV1/Logits/AvgPool_1a/AvgPool': { scale: 0.023528477177023888, zero_point: 0 } } });
  });

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
    expect(Array.from(decodeEmbedding(encodeEmbedding(v, 'base64').embedding))).toEqual(Array.from(v));
    expect(Array.from(decodeEmbedding(encodeEmbedding(v, 'float').embedding))).toEqual(Array.from(v));
  });
});
