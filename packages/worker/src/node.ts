/**
 * The same API and pipeline in plain Node (ORT-web WASM, photon), for tests and for running cvkit's code outside
 * workerd: `createNodeApp({ modelDir }).fetch(request)`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createApp, type AppOptions } from './app';
import { createEngine, type EngineOptions } from './engine/engine';
import { nodeRuntime } from './engine/ort-node';
import { createUrlPolicy } from './http/address';
import { createNodeImageFetch, type Resolve } from './http/node-fetch';
import { enableCodecs } from './image/decode';
import { createEdgeProvider } from './providers/edge';

const wasm = (specifier: string) => new WebAssembly.Module(readFileSync(createRequire(import.meta.url).resolve(specifier)));
enableCodecs({ jpeg: wasm('@cwasm/jpeg-turbo/jpeg-turbo.wasm'), webp: wasm('@jsquash/webp/codec/dec/webp_dec.wasm') });

export function createNodeEngine(modelDir: string, options?: EngineOptions) {
  return createEngine(nodeRuntime(modelDir), options);
}

export interface NodeAppOptions extends Omit<AppOptions, 'provider'> {
  modelDir: string;
  engine?: EngineOptions;
  /** Name resolution for image URLs (default node:dns lookup); every answer is checked against the URL policy. */
  resolve?: Resolve;
}

/**
 * The app in Node. Image URLs are fetched with node:http(s), connecting only to the resolved address that the
 * URL policy allowed (node-fetch.ts), unless a `fetch` is given.
 */
export function createNodeApp({ modelDir, engine, resolve, ...options }: NodeAppOptions) {
  const fetch = options.fetch ?? createNodeImageFetch(createUrlPolicy(options.imageUrls), resolve);
  return createApp({ provider: createEdgeProvider(createNodeEngine(modelDir, engine)), ...options, fetch });
}
