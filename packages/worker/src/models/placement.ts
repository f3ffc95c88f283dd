/**
 * Where each model may run, as data (placement.json): edge, gpu or both, the tier `auto` prefers, and how the GPU
 * tier serves it. `oipArtifact` derives the tensors the GPU tier must accept and return from the model's manifest
 * entry (the same input tensor the edge feeds, the same outputs it reads, or the class map for argmax-in-graph
 * models), so one entry drives both tiers and the Triton repository generated for the GPU.
 */
import { z } from 'zod';
import type { OipArtifact, OipTensorSpec } from '../runtimes/oip-v2/runtime';
import type { Placement } from '../providers/routing';
import { manifest, type ModelSpec } from './manifest';
import placementJson from './placement.json';

const PlacementEntry = z.object({
  where: z.enum(['edge', 'gpu', 'both']),
  prefer: z.enum(['edge', 'gpu']),
  /** The name the GPU server knows the model by; default: the model id. */
  remote_name: z.string().min(1).optional(),
  form: z.enum(['raw', 'argmax-in-graph', 'nms-in-graph']).optional(),
  /** For a GPU-only model: an edge model of the same task that answers when the GPU cannot. */
  substitute: z.string().optional(),
  note: z.string().optional(),
});
export type PlacementEntry = z.infer<typeof PlacementEntry>;

const PlacementFile = z.object({ models: z.record(z.string(), PlacementEntry) });

function load(): Record<string, PlacementEntry> {
  const { models } = PlacementFile.parse(placementJson);
  for (const [id, p] of Object.entries(models)) {
    const model = manifest.models.find((m) => m.id === id);
    if (!model) throw new Error(`placement.json: no model '${id}' in the manifest`);
    if (p.where !== 'edge' && !p.form) throw new Error(`placement.json: '${id}' runs on the GPU but says no form`);
    if (p.where === 'edge' && p.prefer === 'gpu') throw new Error(`placement.json: '${id}' runs only on the edge but prefers the GPU`);
    if (p.where === 'gpu' && p.prefer === 'edge') throw new Error(`placement.json: '${id}' runs only on the GPU but prefers the edge`);
    if (p.substitute !== undefined) {
      const sub = manifest.models.find((m) => m.id === p.substitute);
      if (!sub || sub.task !== model.task) throw new Error(`placement.json: '${id}' names substitute '${p.substitute}', which is not a ${model.task} model`);
      if (models[sub.id]?.where === 'gpu') throw new Error(`placement.json: substitute '${sub.id}' of '${id}' must run on the edge`);
    }
    if (p.form === 'argmax-in-graph' && model.output.kind !== 'class-map' && model.output.kind !== 'logits') {
      throw new Error(`placement.json: '${id}' is served argmax-in-graph, but it is not a segmentation model`);
    }
  }
  return models;
}

const entries = load();

/** The model's placement; models not listed run on the edge only. */
export function placementOf(model: Pick<ModelSpec, 'id'>): Placement & { remote_name: string; form?: OipArtifact['form'] } {
  const p = entries[model.id];
  if (!p) return { where: 'edge', prefer: 'edge', remote_name: model.id };
  return { where: p.where, prefer: p.prefer, remote_name: p.remote_name ?? model.id, ...(p.form ? { form: p.form } : {}), ...(p.substitute ? { substitute: p.substitute } : {}) };
}

/** The tensors the GPU tier takes and gives for a model: what the edge pipeline feeds and reads. */
export function oipArtifact(model: ModelSpec): OipArtifact | undefined {
  const p = placementOf(model);
  if (p.where === 'edge' || !p.form) return undefined;
  const { input } = model;
  const image: OipTensorSpec = {
    name: input.name,
    datatype: 'FP32',
    shape: input.layout === 'NCHW' ? [1, 3, input.height, input.width] : [1, input.height, input.width, 3],
  };
  const feeds: OipTensorSpec[] = model.feeds.map((f) => ({ name: f.name, datatype: 'INT64', shape: [1, 2] }));
  const out = model.output;
  let outputs: OipTensorSpec[];
  switch (out.kind) {
    case 'probabilities':
      outputs = [{ name: out.name, datatype: 'FP32', shape: [1, -1] }];
      break;
    case 'yolox-grid':
      outputs = [{ name: out.name, datatype: 'FP32', shape: [1, -1, -1] }];
      break;
    case 'detr-boxes':
      outputs = [
        { name: out.labels, datatype: 'INT64', shape: [-1, -1] },
        { name: out.boxes, datatype: 'FP32', shape: [-1, -1, 4] },
        { name: out.scores, datatype: 'FP32', shape: [-1, -1] },
      ];
      break;
    case 'class-map':
      outputs = [{ name: out.name, datatype: 'INT64', shape: [1, -1, -1] }];
      break;
    case 'logits':
      // Served raw, the logits; argmax-in-graph, the class map the generated graph appends (see remoteModel).
      outputs = p.form === 'argmax-in-graph' ? [{ name: ARGMAX_OUTPUT, datatype: 'INT64', shape: [1, -1, -1] }] : [{ name: out.name, datatype: 'FP32', shape: [1, -1, -1, -1] }];
      break;
  }
  return { runtime: 'oip-v2', remote_name: p.remote_name, form: p.form, inputs: [image, ...feeds], outputs };
}

/** The output an ArgMax appended to a logits model (npm run gpu:repo) is called. */
export const ARGMAX_OUTPUT = 'class_map';

/**
 * The model as the GPU tier serves it: a logits model served argmax-in-graph answers with a class map, so its task
 * code decodes a class map instead of taking the argmax itself. Every other model is served as it is.
 */
export function remoteModel(model: ModelSpec): ModelSpec {
  const p = placementOf(model);
  if (p.form === 'argmax-in-graph' && model.output.kind === 'logits') return { ...model, output: { kind: 'class-map', name: ARGMAX_OUTPUT } };
  return model;
}

/** Every model the GPU tier serves, with its artifact. */
export function gpuModels(): { model: ModelSpec; artifact: OipArtifact }[] {
  return manifest.models.flatMap((model) => {
    const artifact = oipArtifact(model);
    return artifact ? [{ model, artifact }] : [];
  });
}
