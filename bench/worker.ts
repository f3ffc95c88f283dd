/**
 * Benchmark-only worker: times inference inside the workerd isolate with the product's runtimes and model files,
 * on a fixed input, for any artifact of any model. Served by bench/wrangler.toml; never deployed.
 *   GET /infer?model=<id>&runtime=<name>&runs=<n>  -> { load_ms, runs_ms: number[], memory_bytes }
 * load_ms is the first run: loading the artifact (and, for the first model of a runtime, its wasm) plus one inference.
 */
import { assetFiles, workerdRuntimes } from '../packages/worker/src/index';
import { manifest } from '../packages/worker/src/models/manifest';
import { createResidentModels, type ResidentModels } from '../packages/worker/src/runtimes/budget';
import { benchInputs } from './tensor';

interface Env {
  MODELS: Fetcher;
}

let resident: ResidentModels | undefined;

export default {
  async fetch(request, env) {
    // No budget: every artifact stays loaded, so that load time is paid once.
    resident ??= createResidentModels({ runtimes: workerdRuntimes(), readFile: assetFiles(env.MODELS).read, budgetMb: 1e6 });
    const url = new URL(request.url);
    const model = manifest.models.find((m) => m.id === url.searchParams.get('model'));
    const runtime = url.searchParams.get('runtime');
    const artifact = model?.artifacts.find((a) => (runtime ? a.runtime === runtime : true));
    if (url.pathname !== '/infer' || !model || !artifact) return new Response('GET /infer?model=<id>&runtime=<name>&runs=<n>', { status: 404 });
    const runs = Math.min(200, Number(url.searchParams.get('runs') ?? 10));
    const inputs = benchInputs(model, artifact);
    const loaded = resident.resident().includes(artifact.key);
    const t0 = performance.now();
    if (!loaded) await resident.run(artifact, inputs);
    const load_ms = loaded ? null : performance.now() - t0;
    const runs_ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await resident.run(artifact, inputs);
      runs_ms.push(performance.now() - t);
    }
    return Response.json({ load_ms, runs_ms, memory_bytes: workerdRuntimes().map((r) => ({ runtime: r.name, bytes: r.memoryBytes() })) });
  },
} satisfies ExportedHandler<Env>;
