import { describe, expect, it } from 'vitest';
import { findModel, manifest, parseManifest } from './manifest';
import { modelInfo } from '../providers/pipeline';
import { gpuModelBytes, gpuModels, oipArtifactOf, placementOf, remoteArtifact } from './placement';

describe('placement in the manifest', () => {
  it('the small defaults prefer the edge, heavier models the GPU; YOLOX stays on the edge', () => {
    for (const task of ['classify', 'detect', 'segment'] as const) expect(placementOf(findModel(task, undefined))).toEqual({ where: 'both', prefer: 'edge' });
    expect(placementOf(findModel('classify', 'mobilenet_v2_1.0_224'))).toEqual({ where: 'both', prefer: 'gpu' });
    expect(placementOf(findModel('segment', 'deeplabv3_mnv2_pascal_quant'))).toEqual({ where: 'both', prefer: 'gpu' });
    expect(placementOf(findModel('detect', 'yolox_nano'))).toEqual({ where: 'edge', prefer: 'edge' });
    expect(remoteArtifact(findModel('detect', 'yolox_nano'))).toBeUndefined();
  });

  it('derives what the GPU tier takes and gives from the oip-v2 artifact and the model input', () => {
    const deim = oipArtifactOf(remoteArtifact(findModel('detect', 'deimv2_hgnetv2_femto_coco')) as never);
    expect(deim).toEqual({
      runtime: 'oip-v2',
      remote_name: 'deimv2_hgnetv2_femto_coco',
      form: 'raw',
      inputs: [
        { name: 'images', datatype: 'FP32', shape: [1, 3, 416, 416] },
        { name: 'orig_target_sizes', datatype: 'INT64', shape: [1, 2] },
      ],
      outputs: [
        { name: 'labels', datatype: 'INT64', shape: [-1, -1] },
        { name: 'boxes', datatype: 'FP32', shape: [-1, -1, 4] },
        { name: 'scores', datatype: 'FP32', shape: [-1, -1] },
      ],
    });
    const deeplab = gpuModels().find((g) => g.model.id === 'deeplab_v3_1_default_1');
    expect(deeplab).toMatchObject({
      source: 'deeplab_v3_1_default_1.onnx',
      appendArgmax: { logits: 'ResizeBilinear_3', axis: 3 },
      artifact: { form: 'argmax-in-graph', inputs: [{ name: 'sub_7', datatype: 'FP32', shape: [1, 257, 257, 3] }], outputs: [{ name: 'class_map', datatype: 'INT64', shape: [1, -1, -1] }] },
    });
    expect(gpuModels().map((g) => g.model.id)).toHaveLength(manifest.models.filter((m) => m.where !== 'edge').length);
  });

  it('refuses placements that cannot work, at load', () => {
    const base = JSON.parse(JSON.stringify({ labels: manifest.labels, models: [] })) as { labels: unknown; models: unknown[] };
    const model = (over: Record<string, unknown>): Record<string, unknown> => {
      const m = JSON.parse(JSON.stringify(manifest.models.find((x) => x.id === 'mobilenet_v1_0.25_128_quant'))) as Record<string, unknown>;
      // Its local artifacts only, edge placement: each case adds what it tests.
      m.artifacts = (m.artifacts as Record<string, unknown>[]).filter((a) => a.runtime !== 'oip-v2').map(({ model: _m, key: _k, ...a }) => a);
      return { ...m, where: 'edge', prefer: 'edge', ...over };
    };
    const remote = { runtime: 'oip-v2', form: 'raw', input: { name: 'input', layout: 'NCHW', dtype: 'float32' }, output: { kind: 'probabilities', name: 'output_0' }, memory_mb: 0 };
    const fails = (models: unknown[], message: RegExp) => expect(() => parseManifest({ ...base, models })).toThrow(message);
    fails([model({ where: 'both' })], /runs on the GPU \(where: both\) but has no oip-v2 artifact/);
    fails([model({ where: 'edge', prefer: 'gpu' })], /prefers the GPU but runs on the edge only/);
    const withRemote = model({ where: 'both' });
    withRemote.artifacts = [...(withRemote.artifacts as unknown[]), { ...remote, form: undefined }];
    fails([withRemote], /remote artifact says its form/);
    fails([model({ id: 'big', where: 'gpu', prefer: 'gpu', artifacts: [remote], substitute: 'segmenter' })], /substitute 'segmenter' is not a classify model/);
    const ok = model({ id: 'big', where: 'gpu', prefer: 'gpu', artifacts: [remote], substitute: 'mobilenet_v1_0.25_128_quant', default: false });
    expect(parseManifest({ ...base, models: [model({}), ok] }).models[1]).toMatchObject({ where: 'gpu', substitute: 'mobilenet_v1_0.25_128_quant' });
  });
});

describe('the GPU model size', () => {
  it("GPU-tier answers report the bytes of the graph served (the ort-web file it is made from), never 0", () => {
    for (const model of manifest.models) {
      const remote = remoteArtifact(model);
      if (!remote) continue;
      const onnx = model.artifacts.find((a) => a.runtime === 'ort-web');
      expect(gpuModelBytes(model), model.id).toBe(remote.source ? model.artifacts.find((a) => a.file === remote.source)?.bytes : onnx?.bytes);
      expect(modelInfo(model, remote, 'gpu').bytes, model.id).toBeGreaterThan(0);
    }
    expect(gpuModelBytes(findModel('classify', 'mobilenet_v2_1.0_224_quant'))).toBe(3571773);
  });
});
