import { describe, expect, it } from 'vitest';
import manifestJson from './manifest.json';
import { manifest, parseManifest } from './manifest';

/** The real manifest with one model's first artifact changed. */
const withArtifact = (id: string, change: Record<string, unknown>) => {
  const copy = structuredClone(manifestJson) as { models: { id: string; artifacts: Record<string, unknown>[] }[] };
  const model = copy.models.find((m) => m.id === id)!;
  model.artifacts[0] = { ...model.artifacts[0], ...change };
  return copy;
};

describe('the model manifest', () => {
  it('parses, with one public id per network and every artifact keyed by model and runtime', () => {
    const ids = manifest.models.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    const v2 = manifest.models.find((m) => m.id === 'mobilenet_v2_1.0_224_quant')!;
    expect(v2.artifacts.map((a) => a.key)).toEqual(['mobilenet_v2_1.0_224_quant@litert', 'mobilenet_v2_1.0_224_quant@ort-web', 'mobilenet_v2_1.0_224_quant@oip-v2']);
    expect(v2.artifacts[0]).toMatchObject({ input: { layout: 'NHWC', dtype: 'uint8' }, dequantize: { 'MobilenetV2/Predictions/Softmax': { scale: 1 / 256, zero_point: 0 } } });
  });

  it('fails loudly on an unknown runtime', () => {
    expect(() => parseManifest(withArtifact('yolox_nano', { runtime: 'tensorflow' }))).toThrow(/unknown runtime "tensorflow"; known: ort-web, litert, oip-v2/);
  });

  it('fails loudly on an output kind that cannot answer the task', () => {
    expect(() => parseManifest(withArtifact('yolox_nano', { output: { kind: 'probabilities', name: 'output' } }))).toThrow(
      /yolox_nano \(ort-web\): output kind 'probabilities' cannot answer detect; use yolox-grid or detr-boxes/,
    );
  });

  it('fails on a uint8 input whose quantisation is not the model\'s normalisation', () => {
    const bad = withArtifact('mobilenet_v2_1.0_224_quant', { input: { name: 'input', layout: 'NHWC', dtype: 'uint8', quantization: { scale: 1 / 255, zero_point: 0 } } });
    expect(() => parseManifest(bad)).toThrow(/uint8 input quantization \(scale 0.00392\d*, zero point 0\) differs from the model's mean\/std/);
  });

  it('fails on a local artifact without its file', () => {
    expect(() => parseManifest(withArtifact('yolox_nano', { file: undefined }))).toThrow(/a local runtime's artifact names its file, sha256 and bytes/);
  });
});
