/**
 * Where each model may run, read from the manifest (`where`, `prefer`, `substitute`, and its `oip-v2` artifact), and
 * what the GPU tier must accept and return for it: the tensors the edge pipeline feeds and reads (the class map for
 * argmax-in-graph models), derived from the model's input size and the artifact's tensor names, so that one
 * manifest entry drives both tiers, the metadata check and the Triton repository generated for the GPU.
 */
import type { OipArtifact, OipTensorSpec } from '../runtimes/oip-v2/runtime';
import type { Placement } from '../providers/routing';
import { expectedTensors } from '../outputs';
import { type ArtifactSpec, manifest, type ModelSpec } from './manifest';

/** The model's placement, as routing reads it. */
export function placementOf(model: Pick<ModelSpec, 'where' | 'prefer' | 'substitute'>): Placement {
  return { where: model.where, prefer: model.prefer, ...(model.substitute ? { substitute: model.substitute } : {}) };
}

/** The model's remote (oip-v2) artifact, if it has one. */
export function remoteArtifact(model: ModelSpec): ArtifactSpec | undefined {
  return model.artifacts.find((a) => a.runtime === 'oip-v2');
}

/** The tensors the GPU tier takes and gives for a remote artifact (for the metadata check and the repository). */
export function oipArtifactOf(artifact: ArtifactSpec): OipArtifact {
  const model = manifest.models.find((m) => m.id === artifact.model);
  if (!model) throw new Error(`artifact ${artifact.key} has no model in the manifest`);
  const { width, height } = model.input;
  const input = artifact.input;
  const image: OipTensorSpec = {
    name: input.name,
    datatype: input.dtype === 'uint8' ? 'UINT8' : 'FP32',
    shape: input.layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3],
  };
  const feeds: OipTensorSpec[] = artifact.feeds.map((f) => ({ name: f.name, datatype: 'INT64', shape: [1, 2] }));
  // What the kind reads, as the server's metadata states it: the first accepted type (uint8 outputs are float there).
  const DATATYPE = { float32: 'FP32', int64: 'INT64', int32: 'INT32', uint8: 'FP32' } as const;
  const outputs: OipTensorSpec[] = expectedTensors(artifact.output).map((t) => ({
    name: t.name,
    datatype: DATATYPE[t.dtypes[0] ?? 'float32'],
    shape: [...t.shape],
  }));
  return { runtime: 'oip-v2', remote_name: artifact.remote_name ?? artifact.model, form: artifact.form ?? 'raw', inputs: [image, ...feeds], outputs };
}

/** What the GPU repository generator needs per model: the pack file to serve and the artifact to serve it as. */
export interface GpuModel {
  model: ModelSpec;
  artifact: OipArtifact;
  /** The ONNX file in the model pack the server's graph comes from. */
  source: string;
  /** For argmax-in-graph models whose file gives logits: the logits to reduce (the generator appends an ArgMax). */
  appendArgmax?: { logits: string; axis: number };
}

/** The pack file a model's GPU graph is generated from: its oip-v2 artifact's `source`, else its ort-web file. */
function gpuSource(model: ModelSpec, remote: ArtifactSpec): string | undefined {
  return remote.source ?? model.artifacts.find((a) => a.runtime === 'ort-web')?.file;
}

/**
 * The size of the model the GPU tier serves, as far as the manifest knows it: the bytes of the pack file its graph
 * is generated from (`npm run gpu:repo` serves that file, or it with one ArgMax node appended).
 */
export function gpuModelBytes(model: ModelSpec): number | undefined {
  const remote = remoteArtifact(model);
  const source = remote && gpuSource(model, remote);
  return model.artifacts.find((a) => a.file !== undefined && a.file === source)?.bytes;
}

/** Every model the GPU tier serves. */
export function gpuModels(): GpuModel[] {
  return manifest.models.flatMap((model): GpuModel[] => {
    const remote = remoteArtifact(model);
    if (!remote) return [];
    const edgeOnnx = model.artifacts.find((a) => a.runtime === 'ort-web');
    const source = gpuSource(model, remote);
    if (!source) throw new Error(`${model.id}: its oip-v2 artifact names no source file and the model has no ort-web artifact`);
    const artifact = oipArtifactOf(remote);
    const sourceOutput = edgeOnnx?.output;
    const appendArgmax =
      remote.form === 'argmax-in-graph' && sourceOutput?.kind === 'logits'
        ? { logits: sourceOutput.name, axis: sourceOutput.layout === 'NHWC' ? 3 : 1 }
        : undefined;
    return [{ model, artifact, source, ...(appendArgmax ? { appendArgmax } : {}) }];
  });
}
