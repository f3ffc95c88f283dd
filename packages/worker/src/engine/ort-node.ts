/**
 * ORT-web in plain Node: the same WASM build and pipeline as in workerd (ORT loads its wasm with fs), reading
 * model files from the folder `npm run models` installs into.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import type { EngineRuntime } from './engine';

export function nodeRuntime(modelDir: string): EngineRuntime {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  return {
    ort,
    readFile: async (file) => new Uint8Array(await readFile(join(modelDir, file))),
  };
}
