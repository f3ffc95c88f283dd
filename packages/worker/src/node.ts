/**
 * The same API and pipelines in plain Node (the same LiteRT.js and onnxruntime-web WASM builds as in workerd), for
 * tests, benchmarks and running cvkit's code outside workerd: `createNodeApp({ modelDir }).fetch(request)`.
 * Host details only: how each runtime's wasm is loaded in Node, and model files from a folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-web/wasm';
import { createApp, type AppOptions } from './app';
import { createUrlPolicy } from './http/address';
import { createNodeImageFetch, type Resolve } from './http/node-fetch';
import { enableCodecs } from './image/decode';
import { CATALOG_FILE } from './models/catalog';
import { createGpuTier, type GpuConfig } from './providers/gpu-tier';
import { createPipelineProvider, type ModelFiles, type PipelineProvider, type PipelineProviderOptions } from './providers/pipeline';
import litertGlue from './runtimes/litert-glue.js';
import { createLiteRtRuntime, type LiteRtModuleFactory } from './runtimes/litert';
import { createOrtWebRuntime } from './runtimes/ort-web';
import type { Runtime } from './runtimes/types';
import type { ArtifactSpec } from './models/manifest';

const require = createRequire(import.meta.url);
const wasm = (specifier: string) => new WebAssembly.Module(readFileSync(require.resolve(specifier)));
enableCodecs({ jpeg: wasm('@cwasm/jpeg-turbo/jpeg-turbo.wasm'), webp: wasm('@jsquash/webp/codec/dec/webp_dec.wasm') });

/** LiteRT.js's glue, given the CommonJS names its Node branch uses (see scripts/litert-glue.mjs). */
function litertFactory(): LiteRtModuleFactory {
  const file = require.resolve('@litertjs/core/wasm/litert_wasm_compat_internal.js');
  return litertGlue(require, dirname(file), file);
}

let runtimes: Runtime<ArtifactSpec>[] | undefined;

/** The Node host's runtimes (one of each per process: both libraries keep global state). */
export function nodeRuntimes(): Runtime<ArtifactSpec>[] {
  runtimes ??= [
    createLiteRtRuntime({ factory: litertFactory(), wasm: wasm('@litertjs/core/wasm/litert_wasm_compat_internal.wasm') }),
    createOrtWebRuntime({ ort, wasm: wasm('onnxruntime-web/ort-wasm-simd-threaded.wasm') }),
  ];
  return runtimes;
}

/** The model pack installed in a folder. */
export function folderFiles(modelDir: string): ModelFiles {
  return {
    read: async (file) => new Uint8Array(await readFile(join(modelDir, file))),
    has: async (file) => existsSync(join(modelDir, file)),
  };
}

export type NodeProviderOptions = { modelDir: string; runtimes?: readonly string[] } & Pick<PipelineProviderOptions, 'budgetMb' | 'waitMs'>;

/** The edge provider in Node; `runtimes` restricts it to those runtime names (e.g. ['ort-web'] for comparisons). */
export function createNodeProvider({ modelDir, runtimes: only, ...options }: NodeProviderOptions): PipelineProvider {
  const all = nodeRuntimes();
  return createPipelineProvider({ tier: 'edge', runtimes: only ? all.filter((r) => only.includes(r.name)) : all, files: folderFiles(modelDir), ...options });
}

export interface NodeAppOptions extends Omit<AppOptions, 'provider' | 'gpu'> {
  modelDir: string;
  engine?: Omit<NodeProviderOptions, 'modelDir'>;
  /** Name resolution for image URLs (default node:dns lookup); every answer is checked against the URL policy. */
  resolve?: Resolve;
  /** The remote GPU tier; absent: edge only. */
  gpu?: GpuConfig;
}

/**
 * The app in Node. Image URLs are fetched with node:http(s), connecting only to the resolved address that the
 * URL policy allowed (node-fetch.ts), unless a `fetch` is given.
 */
export function createNodeApp({ modelDir, engine, resolve, gpu, ...options }: NodeAppOptions) {
  const fetch = options.fetch ?? createNodeImageFetch(createUrlPolicy(options.imageUrls), resolve);
  const tier = gpu ? { gpu: createGpuTier(gpu, folderFiles(modelDir)) } : {};
  const files = folderFiles(modelDir);
  const catalog = async () => ((await files.has(CATALOG_FILE)) ? files.read(CATALOG_FILE) : undefined);
  return createApp({ provider: createNodeProvider({ modelDir, ...engine }), ...tier, catalog, ...options, fetch });
}
