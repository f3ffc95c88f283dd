/**
 * The runtime seam: what every inference runtime implements, whether it runs inside the isolate (onnxruntime-web,
 * LiteRT.js) or is a network call (the Open Inference Protocol v2 GPU tier). Tensors are plain typed arrays with
 * dimensions; no runtime's own types cross this line. Task pipelines (preprocess -> run -> postprocess) talk only to
 * this interface, so they never know which runtime ran them.
 */

/** Element types that cross the seam. */
export type DType = 'float32' | 'uint8' | 'int32' | 'int64';

export interface TensorData {
  float32: Float32Array;
  uint8: Uint8Array;
  int32: Int32Array;
  int64: BigInt64Array;
}

/** A runtime-neutral tensor: element type, dimensions, and the data in row-major order. */
export type Tensor = { [D in DType]: { dtype: D; dims: number[]; data: TensorData[D] } }[DType];

/** Named tensors: a model's inputs or outputs. */
export type Tensors = Record<string, Tensor>;

/** Builds a tensor, checking that the data's length matches the dimensions. */
export function tensor<D extends DType>(dtype: D, data: TensorData[D], dims: number[]): Extract<Tensor, { dtype: D }> {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new Error(`tensor of dims [${dims.join(',')}] needs ${count} elements, got ${data.length}`);
  return { dtype, data, dims } as Extract<Tensor, { dtype: D }>;
}

export interface RunOptions {
  /** Aborted when the caller goes away or the request's deadline passes: work not yet started is skipped. */
  signal?: AbortSignal;
}

/** A model loaded by a runtime (a session in the isolate, or a checked remote model). */
export interface LoadedModel {
  /** Runs the model on named inputs; returns the outputs the artifact names. Rejects with an AbortError on abort. */
  run(inputs: Tensors, options?: RunOptions): Promise<Tensors>;
  /** Frees what the model holds (wasm memory, sessions). Idempotent. */
  release(): Promise<void> | void;
}

/** What a runtime is asked to load: one artifact of a manifest model (the file's bytes, or nothing for a remote). */
export interface LoadRequest<Artifact> {
  artifact: Artifact;
  /** The artifact's file from the installed model pack; absent for runtimes that hold no file (remote). */
  bytes?: Uint8Array;
  signal?: AbortSignal;
}

export interface Runtime<Artifact = unknown> {
  /** The name manifest artifacts use to pick this runtime ("ort-web", "litert", "oip-v2"). */
  readonly name: string;
  /** `local`: runs inside the isolate and holds wasm memory; `remote`: every run is a network call. */
  readonly kind: 'local' | 'remote';
  load(request: LoadRequest<Artifact>): Promise<LoadedModel>;
  /** Bytes of wasm memory this runtime holds now (0 for remote runtimes): what the isolate's budget counts. */
  memoryBytes(): number;
}
