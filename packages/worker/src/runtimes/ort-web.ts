/**
 * onnxruntime-web (WASM, one thread) behind the runtime seam: ORT types stop here. One adapter for every host: the
 * host hands over the ORT module (`onnxruntime-web/wasm`, whose emscripten glue is bundled) and its wasm already
 * compiled (workerd: imported as a module by wrangler; Node: compiled from the file). workerd forbids compiling
 * wasm from bytes and ORT cannot be given a compiled module (onnxruntime#20876), so ORT gets a placeholder
 * `wasmBinary` and `WebAssembly.instantiate` answers that placeholder with the compiled module.
 */
import type * as Ort from 'onnxruntime-web';
import type { ArtifactSpec } from '../models/manifest';
import { type LoadedModel, type Runtime, type Tensor, type Tensors, tensor } from './types';
import { firstCallAlone, throwIfAborted } from './wait';

export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor' | 'env'>;

export interface OrtWebHost {
  ort: OrtModule;
  /** ort-wasm-simd-threaded.wasm, compiled. */
  wasm: WebAssembly.Module;
}

const PLACEHOLDER = new TextEncoder().encode('cvkit:ort-wasm');
const isPlaceholder = (source: unknown) =>
  source instanceof Uint8Array && source.byteLength === PLACEHOLDER.byteLength && source.every((b, i) => b === PLACEHOLDER[i]);

/** ORT's wasm memory, once instantiated: the threaded build imports it (env.memory), others export it. */
let ortMemory: WebAssembly.Memory | undefined;
let configured: OrtModule | undefined;

/** Configures ORT once per isolate (an ORT init failure is sticky: this must precede the first session). */
function configure({ ort, wasm }: OrtWebHost): OrtModule {
  if (configured) return configured;
  configured = ort;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = PLACEHOLDER;
  const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>;
  (WebAssembly as { instantiate: unknown }).instantiate = (source: unknown, imports?: WebAssembly.Imports) => {
    if (!isPlaceholder(source)) return instantiate(source, imports);
    return WebAssembly.instantiate(wasm, imports).then((instance) => {
      const values = [...Object.values(instance.exports), ...Object.values(imports ?? {}).flatMap((ns) => Object.values(ns as object))];
      ortMemory = values.find((v): v is WebAssembly.Memory => v instanceof WebAssembly.Memory);
      return { module: wasm, instance };
    });
  };
  return ort;
}

const DTYPES = ['float32', 'uint8', 'int32', 'int64'] as const;

function toOrt(ort: OrtModule, t: Tensor): Ort.Tensor {
  return new ort.Tensor(t.dtype, t.data, t.dims);
}

function fromOrt(name: string, t: Ort.Tensor): Tensor {
  const dtype = DTYPES.find((d) => d === t.type);
  if (!dtype) throw new Error(`output '${name}' has element type ${t.type}, which cvkit does not read`);
  return tensor(dtype, t.data as never, [...t.dims]);
}

export function createOrtWebRuntime(host: OrtWebHost): Runtime<ArtifactSpec> {
  const ort = configure(host);
  // The first session also initialises ORT's wasm: sessions asked for meanwhile by other requests wait for it by
  // polling, not on ORT's internal init promise (which the first request settles).
  const alone = firstCallAlone({ timeoutMs: 30_000, intervalMs: 5, what: 'onnxruntime-web to initialise' });
  return {
    name: 'ort-web',
    kind: 'local',
    memoryBytes: () => ortMemory?.buffer.byteLength ?? 0,
    async load({ artifact, bytes, signal }): Promise<LoadedModel> {
      if (!bytes) throw new Error(`ort-web needs the file of ${artifact.key}`);
      throwIfAborted(signal);
      const session = await alone(
        () => ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: artifact.session?.graphOptimizationLevel ?? 'all' }),
        signal,
      );
      let released = false;
      return {
        async run(inputs: Tensors, options = {}) {
          throwIfAborted(options.signal);
          if (released) throw new Error(`${artifact.key} was released`);
          const feeds: Record<string, Ort.Tensor> = {};
          for (const [name, t] of Object.entries(inputs)) feeds[name] = toOrt(ort, t);
          const results = await session.run(feeds);
          const out: Tensors = {};
          for (const [name, t] of Object.entries(results)) {
            out[name] = fromOrt(name, t);
            t.dispose();
          }
          return out;
        },
        async release() {
          if (released) return;
          released = true;
          await session.release();
        },
      };
    },
  };
}
