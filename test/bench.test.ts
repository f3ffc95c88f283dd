/** The benchmark's quick mode still runs end to end and prints every section (timings are never asserted). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { repoRoot } from './support/worker-server';

it('npm run bench -- --quick prints every section with numbers', async () => {
  const { stdout } = await promisify(execFile)('npx', ['tsx', 'bench/run.ts', '--quick'], { cwd: repoRoot, maxBuffer: 1 << 24, timeout: 540_000 });
  for (const section of ['## 1. Inference', '### Default models end to end in workerd', '### What each runtime adds', '## 2. Request path', '## 3. HTTP latency', '## 4. Cold start', '## 5. Memory', '## 6. Size', '## 7. A peer', '## 8. Before and after', '## 9. The GPU tier']) {
    expect(stdout).toContain(section);
  }
  // every default model on every runtime with a wasm/native ratio (and LiteRT's speed-up over ORT-web), both
  // runtimes end to end, the worker against the size limits, and the classify breakdown with a number in each column
  expect(stdout).toMatch(/^\| mobilenet_v2_1\.0_224_quant \*\*default\*\* \| litert \(served\) \| [\d.]+ \(.*\| [\d.]+ \| [\d.]+ \| [\d.]+ \|$/m);
  expect(stdout).toMatch(/^\| mobilenet_v2_1\.0_224_quant \*\*default\*\* \| ort-web \| [\d.]+ \(.*\| [\d.]+ \(.*\| [\d.]+ \(.*\| [\d.]+ \|  \| [\d.]+ \|$/m);
  expect(stdout).toMatch(/^\| deimv2_hgnetv2_femto_coco \*\*default\*\* \| ort-web \(served\) \| [\d.]+ \(/m);
  expect(stdout).toMatch(/^\| classify \| litert: [\d.]+ \| ort-web: [\d.]+ \| [\d.]+ \|/m);
  expect(stdout).toMatch(/Against Cloudflare's compressed script limits: [\d.]+ MiB of 10 MiB/);
  expect(stdout).toMatch(/\| classify \| JPEG 1024x768 \|( [\d.]+ \|){7}/);
  // the peer: cvkit's default classifier against Transformers.js, with the ratio
  expect(stdout).toMatch(/^\| cvkit Node pipeline, its default: MobileNetV2 int8 on LiteRT\.js \(wasm\) \| [\d.]+ \| [\d.]+-[\d.]+ \| [\d.]+ \| \w/m);
  expect(stdout).toMatch(/\| classify \| 1 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| 0 \|/);
}, 600_000);
