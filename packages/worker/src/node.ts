/**
 * The same API and pipeline in plain Node (ORT-web WASM, photon), for tests and for running cvkit's code outside
 * workerd: `createNodeApp({ modelDir }).fetch(request)`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createApp, type AppOptions } from './app';
import { createEngine, type EngineOptions } from './engine/engine';
import { nodeRuntime } from './engine/ort-node';
import { enableCodecs } from './image/decode';
import { createEdgeProvider } from './providers/edge';
import { createGpuTier, type GpuConfig } from './providers/gpu-tier';

const wasm = (specifier: string) => new WebAssembly.Module(readFileSync(createRequire(import.meta.url).resolve(specifier)));
enableCodecs({ jpeg: wasm('@cwasm/jpeg-turbo/jpeg-turbo.wasm'), webp: wasm('@jsquash/webp/codec/dec/webp_dec.wasm') });

export function createNodeEngine(modelDir: string, options?: EngineOptions) {
  return createEngine(nodeRuntime(modelDir), options);
}

export function createNodeApp({
  modelDir,
  engine: engineOptions,
  gpu,
  ...options
}: { modelDir: string; engine?: EngineOptions; gpu?: GpuConfig } & Omit<AppOptions, 'provider' | 'gpu'>) {
  const engine = createNodeEngine(modelDir, engineOptions);
  return createApp({ provider: createEdgeProvider(engine), ...(gpu ? { gpu: createGpuTier(gpu, engine) } : {}), ...options });
}
