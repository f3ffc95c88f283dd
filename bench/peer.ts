/**
 * The peer: Transformers.js `image-classification` on the same MobileNetV2 (fp32) and photo, from a local model
 * folder (no hub), with its Node backend (sharp + onnxruntime-node), one thread. (Its Node build accepts no
 * wasm device: 'cpu', 'cuda' and 'webgpu' only.)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifest } from '../packages/worker/src/models/manifest';
import { renameOnnxTensors } from './onnx-rename';

/** Builds a Transformers.js model folder for the fp32 MobileNetV2: config, preprocessor config, renamed ONNX. */
function modelFolder(modelDir: string): string {
  const model = manifest.models.find((m) => m.id === 'mobilenet_v2_1.0_224');
  if (!model) throw new Error('mobilenet_v2_1.0_224 is not in the manifest');
  const root = mkdtempSync(join(tmpdir(), 'cvkit-peer-'));
  const dir = join(root, 'mobilenet');
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const labels = readFileSync(join(modelDir, 'labels/imagenet_1001.txt'), 'utf8').split('\n').filter(Boolean);
  const id2label = Object.fromEntries(labels.map((l, i) => [String(i), l.split(',')[0]]));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'mobilenet_v2', architectures: ['MobileNetV2ForImageClassification'], id2label, num_labels: labels.length }));
  // (px/255 - 0.5) / 0.5 == px/127.5 - 1, our (px - 128) / 128 within half a grey level; plain resize to 224.
  writeFileSync(
    join(dir, 'preprocessor_config.json'),
    JSON.stringify({ image_processor_type: 'MobileNetV2ImageProcessor', do_resize: true, size: { height: 224, width: 224 }, do_center_crop: false, do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5], resample: 2 }),
  );
  const onnx = renameOnnxTensors(new Uint8Array(readFileSync(join(modelDir, model.artifacts.find((a) => a.runtime === 'ort-web')?.file ?? ''))), { input: 'pixel_values', output_0: 'logits' });
  writeFileSync(join(dir, 'onnx/model.onnx'), onnx);
  return root;
}

/** Times `n` end-to-end classifications per backend; `ours` runs interleaved with them for a fair comparison. */
export async function runPeer(jpeg: Uint8Array<ArrayBuffer>, n: number, modelDir: string, ours: () => Promise<void>) {
  const root = modelFolder(modelDir);
  try {
    const { pipeline, env, RawImage } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = root;
    const options = { dtype: 'fp32', session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 } } as const;
    const classify = await pipeline('image-classification', 'mobilenet', { ...options, device: 'cpu' });
    const blob = new Blob([jpeg], { type: 'image/jpeg' });
    const times = { native: [] as number[], top1: '' };
    const once = async () => {
      const s = performance.now();
      const image = await RawImage.fromBlob(blob);
      const out = (await classify(image, { top_k: 1 })) as Array<{ label: string }>;
      times.native.push(performance.now() - s);
      times.top1 = out[0]?.label ?? '';
    };
    await once();
    await ours();
    times.native.length = 0;
    for (let i = 0; i < n; i++) {
      await once();
      await ours();
    }
    return times;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
