/**
 * The load check: a user model is loaded by the runtime the worker will run it with (the same onnxruntime-web and
 * LiteRT.js WASM builds, through the worker's Node host) and run once on an all-zero image, so that what is
 * checked is what the runtime really returns: output names, element types and dims, dynamic ones included.
 */
import type { ArtifactSpec } from '../../packages/worker/src/models/manifest';
import type { Tensors } from '../../packages/worker/src/runtimes/types';
import type { ResolvedInput } from './resolve-input';
import type { SeenOutput } from './resolve-output';

export interface LoadCheck {
  runtime: 'ort-web' | 'litert';
  id: string;
  bytes: Uint8Array;
  input: ResolvedInput;
}

/** The outputs of one run on zeros; throws the runtime's message when the file does not load or run. */
export async function runOnce({ runtime, id, bytes, input }: LoadCheck): Promise<SeenOutput[]> {
  // Loaded on first use only: installing the built-in pack alone needs no WASM runtime.
  const { nodeRuntimes } = await import('../../packages/worker/src/node');
  const host = nodeRuntimes().find((r) => r.name === runtime);
  if (!host) throw new Error(`no ${runtime} runtime in this host`);
  const artifact = { key: `${id}@${runtime}`, model: id, runtime, session: { graphOptimizationLevel: 'all' } } as unknown as ArtifactSpec;
  const model = await host.load({ artifact, bytes });
  try {
    const count = input.dims.reduce((a, b) => a * b, 1);
    const feeds: Tensors = {
      [input.tensor.name]:
        input.tensor.dtype === 'uint8'
          ? { dtype: 'uint8', dims: input.dims, data: new Uint8Array(count) }
          : { dtype: 'float32', dims: input.dims, data: new Float32Array(count) },
    };
    for (const feed of input.feeds) feeds[feed.name] = { dtype: 'int64', dims: [1, 2], data: BigInt64Array.from([BigInt(input.input.width), BigInt(input.input.height)]) };
    const outputs = await model.run(feeds);
    return Object.entries(outputs).map(([name, t]) => ({
      name,
      dtype: t.dtype,
      dims: t.dims,
      ...(t.dtype === 'int64' ? {} : { values: t.data as ArrayLike<number> }),
    }));
  } finally {
    await model.release();
  }
}
