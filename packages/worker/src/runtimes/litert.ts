/**
 * LiteRT.js (`@litertjs/core`, Google's WASM build of TFLite with XNNPACK kernels) behind the runtime seam: it runs
 * the `.tflite` twins of the quantised MobileNets and DeepLabs 3-4x faster than onnxruntime-web runs their ONNX
 * conversions. One thread, the compat (SIMD) build. LiteRT types stop here.
 *
 * LiteRT.js was written for browsers and workers; four shims make it load in workerd and Node alike. Its loader
 * runs the emscripten glue with `importScripts(url)` and then reads `self.ModuleFactory`: the host hands over the
 * glue's factory (workerd: bundled by wrangler, the glue ends in a CommonJS export; Node: evaluated from the file),
 * so `importScripts` only puts it there. `self.Module.instantiateWasm` instantiates the `.wasm` the host compiled
 * (workerd forbids compiling wasm from bytes). `self` and `self.location` are provided where missing.
 * Every tensor created or received lives in wasm memory until deleted: each run deletes all of them.
 */
import type { CompiledModel, LiteRt } from '@litertjs/core';
import type { ArtifactSpec } from '../models/manifest';
import { type LoadedModel, type Runtime, type Tensor, type Tensors, tensor } from './types';
import { firstCallAlone, throwIfAborted } from './wait';

/** The emscripten module factory the glue script defines (`ModuleFactory`). */
export type LiteRtModuleFactory = (module: object) => Promise<unknown>;

export interface LiteRtHost {
  factory: LiteRtModuleFactory;
  /** litert_wasm_compat_internal.wasm, compiled. */
  wasm: WebAssembly.Module;
}

const GLUE = 'litert_wasm_compat_internal.js';

/** The loaded library, once per isolate (@litertjs/core keeps one global instance). */
let library: { core: typeof import('@litertjs/core'); liteRt: LiteRt; memory: WebAssembly.Memory } | undefined;

async function loadLibrary({ factory, wasm }: LiteRtHost) {
  if (library) return library;
  const scope = globalThis as Record<string, unknown>;
  scope.self ??= globalThis;
  const self = scope.self as Record<string, unknown>;
  self.location ??= { href: `https://cvkit.internal/${GLUE}`, origin: 'https://cvkit.internal' };
  let memory: WebAssembly.Memory | undefined;
  // emscripten gives instantiateWasm no way to fail: a failure settles this instead, which the load races.
  let failInstantiate: (err: unknown) => void = () => {};
  const instantiateFailed = new Promise<never>((_, reject) => (failInstantiate = reject));
  const previousImportScripts = scope.importScripts;
  scope.importScripts = () => {
    self.ModuleFactory = factory;
  };
  self.Module = {
    // LiteRT logs INFO/WARNING lines on every model load; keep only its errors.
    print: () => {},
    printErr: (line: string) => {
      if (!/^(INFO|WARNING|VERBOSE)\b/.test(line)) console.error(`litert: ${line}`);
    },
    instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
      WebAssembly.instantiate(wasm, imports).then((instance) => {
        memory = Object.values(instance.exports).find((e): e is WebAssembly.Memory => e instanceof WebAssembly.Memory);
        done(instance, wasm);
      }, failInstantiate);
      return {};
    },
  };
  // Without WebGPU (none here) the default environment warns once per load; the wasm accelerator needs none.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('Failed to create default WebGPU device')) warn(...args);
  };
  try {
    const core = await import('@litertjs/core');
    const liteRt = await Promise.race([core.loadLiteRt(GLUE), instantiateFailed]);
    if (!memory) throw new Error('LiteRT.js loaded without its wasm memory');
    library = { core, liteRt, memory };
    return library;
  } finally {
    console.warn = warn;
    if (previousImportScripts === undefined) delete scope.importScripts;
    else scope.importScripts = previousImportScripts;
  }
}

function fromLiteRt(name: string, data: ReturnType<InstanceType<typeof import('@litertjs/core').Tensor>['toTypedArray']>, dims: number[]): Tensor {
  if (data instanceof Float32Array) return tensor('float32', data, dims);
  if (data instanceof Uint8Array) return tensor('uint8', data, dims);
  if (data instanceof Int32Array) return tensor('int32', data, dims);
  throw new Error(`output '${name}' has an element type cvkit does not read`);
}

export function createLiteRtRuntime(host: LiteRtHost): Runtime<ArtifactSpec> {
  // The first load also loads LiteRT's wasm (once per isolate): loads asked for meanwhile poll until it is done.
  const alone = firstCallAlone({ timeoutMs: 30_000, intervalMs: 5, what: 'LiteRT.js to initialise' });
  return {
    name: 'litert',
    kind: 'local',
    memoryBytes: () => library?.memory.buffer.byteLength ?? 0,
    async load({ artifact, bytes, signal }): Promise<LoadedModel> {
      if (!bytes) throw new Error(`litert needs the file of ${artifact.key}`);
      throwIfAborted(signal);
      const { core, model } = await alone(async () => {
        const lib = await loadLibrary(host);
        const compiled: CompiledModel = await lib.liteRt.loadAndCompile(bytes, { accelerator: 'wasm', cpuOptions: { numThreads: 1 } });
        return { core: lib.core, model: compiled };
      }, signal);
      const inputs = model.getInputDetails();
      const outputs = model.getOutputDetails();
      let released = false;
      return {
        async run(feeds: Tensors, options = {}) {
          throwIfAborted(options.signal);
          if (released) throw new Error(`${artifact.key} was released`);
          const given: InstanceType<typeof core.Tensor>[] = [];
          let received: InstanceType<typeof core.Tensor>[] = [];
          try {
            for (const detail of inputs) {
              const t = feeds[detail.name];
              if (!t) throw new Error(`${artifact.key} needs the input '${detail.name}'`);
              if (t.dtype === 'int64') throw new Error(`LiteRT.js takes no int64 input ('${detail.name}')`);
              given.push(new core.Tensor(t.data as Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>, t.dims));
            }
            received = await model.run(given);
            const out: Tensors = {};
            received.forEach((t, i) => {
              const name = outputs[i]?.name ?? String(i);
              out[name] = fromLiteRt(name, t.toTypedArray(), [...t.type.layout.dimensions]);
            });
            return out;
          } finally {
            for (const t of given) t.delete();
            for (const t of received) t.delete();
          }
        },
        release() {
          if (released) return;
          released = true;
          model.delete();
        },
      };
    },
  };
}
