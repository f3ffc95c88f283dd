/**
 * What one loaded artifact costs its runtime in wasm memory (the manifest's `memory_mb`), measured, not guessed:
 * in a fresh process per artifact, load 1..4 instances of it with the product's runtime, run each once on the bench
 * input, and read the runtime's wasm memory after each. The slope (memory per added instance) is the model's cost;
 * a single reading would hide it in the heap a runtime reserves up front (LiteRT.js starts at ~17 MiB). LiteRT
 * artifacts take ceil(max(slope, file size)) as memory_mb. onnxruntime-web sessions share much of their arena, so
 * their slope is below what the first session of a model costs: their memory_mb stays the larger, single-model
 * figure bench/memory.ts measured (ORT memory with the model alone, less ORT's own).
 *   node --import tsx bench/model-memory.ts                  # every artifact, a table (spawns one process each)
 *   node --import tsx bench/model-memory.ts <model>@<runtime>  # one artifact, JSON
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const MiB = 1048576;
const key = process.argv[2];

if (key) {
  const { manifest } = await import('../packages/worker/src/models/manifest');
  const { folderFiles, nodeRuntimes } = await import('../packages/worker/src/node');
  const { benchInputs } = await import('./tensor');
  const model = manifest.models.find((m) => m.artifacts.some((a) => a.key === key));
  const artifact = model?.artifacts.find((a) => a.key === key);
  if (!model || !artifact?.file) throw new Error(`no local artifact ${key}`);
  const runtime = nodeRuntimes().find((r) => r.name === artifact.runtime)!;
  const bytes = await folderFiles(resolve(import.meta.dirname, '../models')).read(artifact.file);
  const readings: number[] = [];
  for (let i = 0; i < 4; i++) {
    const loaded = await runtime.load({ artifact, bytes });
    await loaded.run(benchInputs(model, artifact));
    readings.push(runtime.memoryBytes());
  }
  // Least-squares slope over the instances, MiB per instance.
  const xs = readings.map((_, i) => i + 1);
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = readings.reduce((a, b) => a + b) / readings.length;
  const slope = xs.reduce((s, x, i) => s + (x - mx) * ((readings[i] as number) - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  console.log(JSON.stringify({ key, readings_mib: readings.map((b) => +(b / MiB).toFixed(1)), per_instance_mib: +(slope / MiB).toFixed(1) }));
} else {
  const { manifest } = await import('../packages/worker/src/models/manifest');
  console.log('| artifact | manifest memory_mb | wasm memory after 1..4 instances (MiB) | measured per instance (MiB) | ceil(max(slope, file)) |\n|---|---|---|---|---|');
  for (const a of manifest.models.flatMap((m) => m.artifacts.filter((x) => x.file))) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, a.key], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${a.key}: ${run.stderr}`);
    const r = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { readings_mib: number[]; per_instance_mib: number };
    console.log(`| ${a.key} | ${a.memory_mb} | ${r.readings_mib.join(', ')} | ${r.per_instance_mib} | ${Math.ceil(Math.max(r.per_instance_mib, (a.bytes ?? 0) / MiB))} |`);
  }
}
