/** Resident models with the real runtimes in Node (LiteRT.js and onnxruntime-web WASM) and the installed model files. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifest, type ArtifactSpec } from '../models/manifest';
import { folderFiles, nodeRuntimes } from '../node';
import { createResidentModels } from './budget';
import { type Tensors, tensor } from './types';

const files = folderFiles(resolve(import.meta.dirname, '../../../../models'));
const artifact = (id: string, runtime: string) => manifest.models.find((m) => m.id === id)?.artifacts.find((a) => a.runtime === runtime) as ArtifactSpec;
const tiny = artifact('mobilenet_v1_0.25_128_quant', 'ort-web'); // 3 MiB
const v2 = artifact('mobilenet_v2_1.0_224_quant', 'ort-web'); // 20 MiB
const v1 = artifact('mobilenet_v1_0.75_192_quant', 'ort-web'); // 15 MiB
const side = (a: ArtifactSpec) => Number(/_(\d+)_quant/.exec(a.model)?.[1]);
const input = (a: ArtifactSpec, fill = 0): Tensors => {
  const s = side(a);
  return { [a.input.name]: tensor('float32', new Float32Array(s * s * 3).fill(fill), [1, 3, s, s]) };
};
const top = (out: Tensors) => {
  const p = out.output_0?.data as Float32Array;
  return p.indexOf(Math.max(...p));
};
const make = (budgetMb?: number) => createResidentModels({ runtimes: nodeRuntimes(), readFile: files.read, budgetMb });

describe('createResidentModels', () => {
  it('keeps models within the memory budget, releasing the least recently used idle one', async () => {
    const models = make(25);
    const first = top(await models.run(tiny, input(tiny)));
    await models.run(v2, input(v2));
    expect(models.resident()).toEqual([tiny.key, v2.key]); // 23 MiB
    await models.run(tiny, input(tiny)); // tiny is now the most recent
    await models.run(v1, input(v1)); // 3 + 20 + 15 > 25: v2 goes
    expect(models.resident()).toEqual([tiny.key, v1.key]);
    await models.run(v2, input(v2));
    expect(models.resident()).toContain(v2.key);
    expect(top(await models.run(tiny, input(tiny)))).toBe(first);
  });

  it('never releases a model while it runs, and never loads past the budget: a run waits its turn', async () => {
    const models = make(25);
    const seen: string[][] = [];
    const watch = (p: Promise<Tensors>) => p.then((o) => (seen.push(models.resident()), o));
    const outputs = await Promise.all([watch(models.run(v2, input(v2))), watch(models.run(v1, input(v1))), watch(models.run(v2, input(v2)))]);
    expect(outputs.every((o) => Object.keys(o).length > 0)).toBe(true);
    for (const resident of seen) expect(resident.includes(v1.key) && resident.includes(v2.key)).toBe(false);
  });

  it('does not keep a failed load', async () => {
    let failures = 1;
    const models = createResidentModels({ runtimes: nodeRuntimes(), readFile: (f) => (failures-- > 0 ? Promise.reject(new Error('storage hiccup')) : files.read(f)) });
    await expect(models.run(tiny, input(tiny))).rejects.toThrow('storage hiccup');
    expect(models.resident()).toEqual([]);
    expect(Object.keys(await models.run(tiny, input(tiny)))).toContain('output_0');
  });

  it('runs concurrent requests on one model one after another, each with its own answer', async () => {
    const models = make();
    const [a, b, c] = await Promise.all([models.run(tiny, input(tiny)), models.run(tiny, input(tiny, 1)), models.run(tiny, input(tiny))]);
    expect(top(a!)).toBe(top(c!));
    expect(Array.from(a!.output_0!.data as Float32Array)).not.toEqual(Array.from(b!.output_0!.data as Float32Array));
  });

  it('counts both runtimes against one budget', async () => {
    const lite = artifact('mobilenet_v2_1.0_224_quant', 'litert');
    const models = make(lite.memory_mb + v1.memory_mb - 1);
    const s = 224;
    await models.run(lite, { input: tensor('uint8', new Uint8Array(s * s * 3).fill(128), [1, s, s, 3]) });
    await models.run(v1, input(v1)); // does not fit beside it: the LiteRT model goes
    expect(models.resident()).toEqual([v1.key]);
  });

  it('skips work not started when the caller has gone', async () => {
    const models = make();
    const controller = new AbortController();
    controller.abort();
    await expect(models.run(tiny, input(tiny), { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(models.resident()).toEqual([]);
  });

  it('fails with the documented busy error when it cannot get room in time', async () => {
    let now = 0;
    const models = createResidentModels({ runtimes: nodeRuntimes(), readFile: files.read, budgetMb: 25, waitMs: 1000, pollMs: 100, now: () => now, sleep: async (ms) => void (now += ms) });
    // v2 holds the budget while it runs; v1 cannot load beside it and gives up after 1 s of (fake) time.
    const running = models.run(v2, input(v2));
    await new Promise((r) => setTimeout(r, 0));
    const waiting = models.run(v1, input(v1));
    const [ran, gaveUp] = await Promise.allSettled([running, waiting]);
    expect(ran.status).toBe('fulfilled');
    expect(gaveUp).toMatchObject({ status: 'rejected', reason: { code: 'rate_limited', status: 429, retryable: true } });
    expect((gaveUp as PromiseRejectedResult).reason.message).toMatch(/busy: waited 1 s for memory for mobilenet_v1_0.75_192_quant/);
  });
});
