/** The engine with the real ORT-web WASM backend in Node and the installed model files. */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { manifest, type ModelSpec } from '../models/manifest';
import { createEngine, type EngineRuntime } from './engine';
import { nodeRuntime } from './ort-node';

const modelDir = resolve(import.meta.dirname, '../../../../models');
const model = (id: string) => manifest.models.find((m) => m.id === id) as ModelSpec;
const tiny = model('mobilenet_v1_0.25_128_quant'); // 3 MiB
const v2 = model('mobilenet_v2_1.0_224_quant'); // 20 MiB
const v1 = model('mobilenet_v1_0.75_192_quant'); // 15 MiB
const OUT = 'output_0'; // the MobileNets' probabilities
const zeros = (m: ModelSpec) => new Float32Array(m.input.width * m.input.height * 3);
const top = (out: Awaited<ReturnType<ReturnType<typeof createEngine>['run']>>) => {
  const p = out[OUT]?.data as Float32Array;
  return p.indexOf(Math.max(...p));
};

describe('createEngine', () => {
  it('keeps sessions within the memory budget, releasing the least recently used idle one', async () => {
    const engine = createEngine(nodeRuntime(modelDir), { budgetMb: 25 });
    const first = top(await engine.run(tiny, zeros(tiny)));
    await engine.run(v2, zeros(v2));
    expect(engine.resident()).toEqual([tiny.id, v2.id]); // 23 MiB
    await engine.run(tiny, zeros(tiny)); // tiny is now the most recent
    await engine.run(v1, zeros(v1)); // 3 + 20 + 15 > 25: v2 goes
    expect(engine.resident()).toEqual([tiny.id, v1.id]);
    // a released model comes back on demand, with the same answers
    await engine.run(v2, zeros(v2));
    expect(engine.resident()).toContain(v2.id);
    expect(top(await engine.run(tiny, zeros(tiny)))).toBe(first);
  });

  it('never releases a session while it is running, and never loads past the budget: a run waits its turn', async () => {
    const engine = createEngine(nodeRuntime(modelDir), { budgetMb: 25 });
    const seen: string[][] = [];
    const watch = (p: Promise<unknown>) => p.then((o) => (seen.push(engine.resident()), o));
    // v2 (20) and v1 (15) cannot be resident together: v1 waits until v2's runs are done
    const outputs = await Promise.all([watch(engine.run(v2, zeros(v2))), watch(engine.run(v1, zeros(v1))), watch(engine.run(v2, zeros(v2)))]);
    expect(outputs.every((o) => Object.keys(o as object).length > 0)).toBe(true);
    for (const resident of seen) expect(resident.includes(v1.id) && resident.includes(v2.id)).toBe(false);
  });

  it('does not keep a failed session creation', async () => {
    const runtime = nodeRuntime(modelDir);
    let failures = 1;
    const flaky: EngineRuntime = { ...runtime, readFile: (file) => (failures-- > 0 ? Promise.reject(new Error('storage hiccup')) : runtime.readFile(file)) };
    const engine = createEngine(flaky);
    await expect(engine.run(tiny, zeros(tiny))).rejects.toThrow('storage hiccup');
    expect(engine.resident()).toEqual([]);
    expect(Object.keys(await engine.run(tiny, zeros(tiny)))).toContain(OUT);
  });

  it('runs concurrent requests on one session one after another, each with its own answer', async () => {
    const engine = createEngine(nodeRuntime(modelDir));
    const ones = new Float32Array(zeros(tiny).length).fill(1);
    const [a, b, c] = await Promise.all([engine.run(tiny, zeros(tiny)), engine.run(tiny, ones), engine.run(tiny, zeros(tiny))]);
    expect(top(a!)).toBe(top(c!));
    expect(Array.from(a![OUT]!.data as Float32Array)).not.toEqual(Array.from(b![OUT]!.data as Float32Array));
  });
});
