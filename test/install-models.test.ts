/** The model installer against a directory pack and an http(s) pack served on loopback. */
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { installModels, manifestFiles, defaultPack } from '../scripts/install-models.mjs';
import { repoRoot } from './support/worker-server';
import { serve } from './support/http';

const sharedPack = resolve(repoRoot, '../shared/models');
// A small manifest (two files) keeps the copies cheap while exercising the real code paths.
const manifest = {
  labels: { voc_21: { file: 'labels/voc_21.txt', sha256: '5e0e0d1f1a439ba7736618a4c4453a0428eb3213da0a1dc5486c54c191f4c296', format: 'plain', count: 21 } },
  models: [{ artifacts: [{ runtime: 'ort-web', file: 'mobilenet_v1_0.25_128_quant.onnx', sha256: '1e0245eb7c88eb44d63761f27ed6b13341f71d4e994b87a5db5953d43891c71c' }] }],
};

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cvkit-models-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('installModels', () => {
  it('lists every artifact file (ONNX and TFLite) and label file of the real manifest, each once', async () => {
    const real = JSON.parse(await readFile(resolve(repoRoot, 'packages/worker/src/models/manifest.json'), 'utf8'));
    const files = manifestFiles(real).map((f: { file: string }) => f.file);
    expect(files).toContain('mobilenet_v2_1.0_224_quant.onnx');
    expect(files).toContain('mobilenet_v2_1.0_224_quant.tflite');
    expect(files).toContain('deeplabv3_mnv2_dm05_pascal_quant_argmax_i32.tflite');
    expect(files).toContain('labels/imagenet_1001.txt');
    expect(new Set(files).size).toBe(files.length);
    const artifacts = real.models.flatMap((m: { artifacts: { file?: string }[] }) => m.artifacts.filter((a) => a.file));
    // Label lists given inline (`names`, e.g. an embedder's "none") have no file to install.
    const labelFiles = Object.values(real.labels as Record<string, { file?: string }>).filter((l) => l.file);
    expect(files).toHaveLength(artifacts.length + labelFiles.length);
  });

  it('installs from a directory, then is a no-op', async () => {
    const dest = join(tmp, 'dir');
    const first = await installModels({ pack: sharedPack, dest, manifest });
    expect(first.installed).toEqual(['mobilenet_v1_0.25_128_quant.onnx', 'labels/voc_21.txt']);
    const again = await installModels({ pack: sharedPack, dest, manifest });
    expect(again).toEqual({ installed: [], present: ['mobilenet_v1_0.25_128_quant.onnx', 'labels/voc_21.txt'] });
  });

  it('replaces a corrupted installed file', async () => {
    const dest = join(tmp, 'dir');
    await writeFile(join(dest, 'labels/voc_21.txt'), 'tampered');
    const res = await installModels({ pack: sharedPack, dest, manifest });
    expect(res.installed).toEqual(['labels/voc_21.txt']);
  });

  it('installs from an http pack', async () => {
    const server = await serve(async (req, res) => {
      try {
        res.writeHead(200).end(await readFile(join(sharedPack, decodeURIComponent(req.url ?? '').slice('/pack/'.length))));
      } catch {
        res.writeHead(404).end();
      }
    });
    try {
      const dest = join(tmp, 'http');
      const res = await installModels({ pack: `${server.url}/pack`, dest, manifest });
      expect(res.installed).toHaveLength(2);
      expect((await readdir(dest)).sort()).toEqual(['labels', 'mobilenet_v1_0.25_128_quant.onnx']);
    } finally {
      await server.close();
    }
  });

  it('fails naming the file on a sha256 mismatch, leaving nothing half-installed', async () => {
    const pack = join(tmp, 'badpack');
    await mkdir(join(pack, 'labels'), { recursive: true });
    await copyFile(join(sharedPack, 'mobilenet_v1_0.25_128_quant.onnx'), join(pack, 'mobilenet_v1_0.25_128_quant.onnx'));
    await writeFile(join(pack, 'labels/voc_21.txt'), 'background\nnot the real list\n');
    const dest = join(tmp, 'bad');
    await expect(installModels({ pack, dest, manifest })).rejects.toThrow(/labels\/voc_21.txt: sha256 mismatch/);
    expect(await readdir(dest)).toEqual([]);
  });

  it('fails naming a missing file', async () => {
    const pack = join(tmp, 'emptypack');
    await mkdir(pack, { recursive: true });
    await expect(installModels({ pack, dest: join(tmp, 'none'), manifest })).rejects.toThrow(/mobilenet_v1_0.25_128_quant.onnx: not found in the model pack/);
  });

  it('fails naming the file when the http pack answers 404', async () => {
    const server = await serve((_req, res) => void res.writeHead(404).end());
    try {
      await expect(installModels({ pack: server.url, dest: join(tmp, 'h404'), manifest })).rejects.toThrow(/mobilenet_v1_0.25_128_quant.onnx: .* HTTP 404/);
    } finally {
      await server.close();
    }
  });

  it('takes the pack from CVKIT_MODEL_PACK first', () => {
    expect(defaultPack({ CVKIT_MODEL_PACK: 'https://example.test/pack' })).toBe('https://example.test/pack');
    expect(defaultPack({})).toBe(sharedPack);
  });
});
