/**
 * Memory probe, run in a fresh Node process per model set by run.ts: serves one real request per model through
 * the Node pipeline (JPEG decode of a 1024x768 photo, inference on the model's served runtime), then prints the wasm
 * memory of each runtime (as the runtimes report it: LiteRT.js and onnxruntime-web), of the image decoders, and the
 * JS heap, as JSON. Wasm memory only grows, so the numbers are the peak.
 *   CVKIT_BENCH_JPEG=photo.jpg [CVKIT_BUDGET_MB=n] node --import tsx bench/memory.ts <model id> [<model id> ...]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Capture every wasm instance's memory before ORT and photon create theirs.
// ORT's threaded build imports its memory (env.memory) rather than exporting it: remember imported memories too.
const instances: WebAssembly.Instance[] = [];
const imported = new Map<WebAssembly.Instance, WebAssembly.Memory>();
const { instantiate, Instance } = WebAssembly;
WebAssembly.instantiate = (async (...args: Parameters<typeof instantiate>) => {
  const result = (await instantiate(...args)) as WebAssembly.WebAssemblyInstantiatedSource | WebAssembly.Instance;
  const instance = 'instance' in result ? result.instance : result;
  instances.push(instance);
  const memory = Object.values(args[1] ?? {}).flatMap((ns) => Object.values(ns as object)).find((v) => v instanceof WebAssembly.Memory);
  if (memory) imported.set(instance, memory as WebAssembly.Memory);
  return result;
}) as typeof instantiate;
WebAssembly.Instance = new Proxy(Instance, {
  construct(target, args: [WebAssembly.Module, WebAssembly.Imports?]) {
    const instance = new target(...args);
    instances.push(instance);
    return instance;
  },
});

const { repoRoot } = await import('../test/support/worker-server');
const { createNodeProvider } = await import('../packages/worker/src/node');
const { createApp } = await import('../packages/worker/src/app');
const { manifest } = await import('../packages/worker/src/models/manifest');
// The request image comes from the parent (run.ts), so that making it does not count in photon's memory here.
const jpeg = new Uint8Array(readFileSync(process.env.CVKIT_BENCH_JPEG ?? ''));

// CVKIT_BUDGET_MB overrides the engine's memory budget (the before/after comparison turns it off).
const budgetMb = process.env.CVKIT_BUDGET_MB ? Number(process.env.CVKIT_BUDGET_MB) : undefined;
const provider = createNodeProvider({ modelDir: join(repoRoot, 'models'), budgetMb });
const app = createApp({ provider });
for (const id of process.argv.slice(2)) {
  const model = manifest.models.find((m) => m.id === id);
  if (!model) throw new Error(`unknown model ${id}`);
  const res = await app.request(`/v1/${model.task}?model=${id}`, { method: 'POST', headers: { 'content-type': 'image/jpeg', 'cache-control': 'no-cache' }, body: jpeg });
  if (res.status !== 200) throw new Error(`${id}: HTTP ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

const memoryBytes = (i: WebAssembly.Instance) =>
  ((Object.values(i.exports).find((e) => e instanceof WebAssembly.Memory) as WebAssembly.Memory | undefined) ?? imported.get(i))?.buffer.byteLength ?? 0;
const isPhoton = (i: WebAssembly.Instance) => 'photonimage_new_from_byteslice' in i.exports;
const isTurbo = (i: WebAssembly.Instance) => 'tjDecompress2' in i.exports;
const isUndici = (i: WebAssembly.Instance) => 'llhttp_init' in i.exports;
const sum = (xs: WebAssembly.Instance[]) => xs.reduce((a, i) => a + memoryBytes(i), 0);
const runtime = (name: string) => provider.resident.runtime(name)?.memoryBytes() ?? 0;
const [litert, ort] = [runtime('litert'), runtime('ort-web')];
void isUndici;
// Decoders: photon (PNG, WebP, GIF, BMP, resizing) and libjpeg-turbo (JPEG; dropped instances are not counted).
const photon = sum(instances.filter((i) => isPhoton(i) || isTurbo(i)));

if (process.env.DEBUG_EXPORTS) for (const i of instances) console.error(Object.keys(i.exports).slice(0, 12).join(","));
globalThis.gc?.();
const usage = process.memoryUsage();
console.log(JSON.stringify({ litert, ort, photon, heap: usage.heapUsed, external: usage.external }));
