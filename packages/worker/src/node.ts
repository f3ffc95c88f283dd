/**
 * The same API and pipeline in plain Node (ORT-web WASM, photon), for tests and for running cvkit's code outside
 * workerd: `createNodeApp({ modelDir }).fetch(request)`.
 */
import { createApp, type AppOptions } from './app';
import { createEngine } from './engine/engine';
import { nodeRuntime } from './engine/ort-node';
import { createEdgeProvider } from './providers/edge';

export function createNodeEngine(modelDir: string) {
  return createEngine(nodeRuntime(modelDir));
}

export function createNodeApp({ modelDir, ...options }: { modelDir: string } & Omit<AppOptions, 'provider'>) {
  return createApp({ provider: createEdgeProvider(createNodeEngine(modelDir)), ...options });
}
