/**
 * Benchmark-only worker: times ORT-web inference inside the workerd isolate with the production engine and
 * model files, on a fixed input tensor. Served by bench/wrangler.toml; never deployed.
 *   GET /infer?model=<id>&runs=<n>  -> { create_ms, runs_ms: number[] }
 */
import { createEngine } from '../packages/worker/src/engine/engine';
import { workerdRuntime } from '../packages/worker/src/engine/ort-workerd';
import { manifest } from '../packages/worker/src/models/manifest';
import { benchTensor } from './tensor';

interface Env {
  MODELS: Fetcher;
}

let engine: ReturnType<typeof createEngine> | undefined;

export default {
  async fetch(request, env) {
    engine ??= createEngine(workerdRuntime(env.MODELS));
    const url = new URL(request.url);
    const model = manifest.models.find((m) => m.id === url.searchParams.get('model'));
    if (url.pathname !== '/infer' || !model) return new Response('GET /infer?model=<id>&runs=<n>', { status: 404 });
    const runs = Math.min(200, Number(url.searchParams.get('runs') ?? 10));
    const t0 = performance.now();
    await engine.session(model);
    const create_ms = performance.now() - t0;
    const tensor = benchTensor(model.input);
    const runs_ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await engine.run(model, tensor, { imageSize: model.input });
      runs_ms.push(performance.now() - t);
    }
    return Response.json({ create_ms, runs_ms });
  },
} satisfies ExportedHandler<Env>;
