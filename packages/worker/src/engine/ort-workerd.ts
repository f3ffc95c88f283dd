/**
 * ORT-web inside workerd. workerd forbids compiling WebAssembly from bytes, and ORT's glue cannot be pointed at a
 * precompiled module (onnxruntime#20876), so ORT gets a placeholder `wasmBinary` and `WebAssembly.instantiate`
 * is wrapped to answer that placeholder with the module wrangler precompiled from the imported .wasm file.
 */
import * as ort from 'onnxruntime-web/wasm';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import type { EngineRuntime, OrtModule } from './engine';

const PLACEHOLDER = new TextEncoder().encode('cvkit:ort-wasm');

const isPlaceholder = (source: unknown) =>
  source instanceof Uint8Array && source.byteLength === PLACEHOLDER.byteLength && source.every((b, i) => b === PLACEHOLDER[i]);

let configured = false;

function configure(): OrtModule {
  if (configured) return ort;
  configured = true;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = PLACEHOLDER;
  const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>;
  (WebAssembly as { instantiate: unknown }).instantiate = (source: unknown, imports?: WebAssembly.Imports) =>
    isPlaceholder(source)
      ? WebAssembly.instantiate(ortWasm, imports).then((instance) => ({ module: ortWasm, instance }))
      : instantiate(source, imports);
  return ort;
}

/** The workerd runtime: model files come from the static-assets binding the wrangler config names MODELS. */
export function workerdRuntime(models: Fetcher): EngineRuntime {
  return {
    ort: configure(),
    async readFile(file) {
      const res = await models.fetch(new URL(file, 'https://models.cvkit.internal/'));
      if (!res.ok) throw new Error(`model file ${file} is not deployed (HTTP ${res.status}); run \`npm run models\``);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}
