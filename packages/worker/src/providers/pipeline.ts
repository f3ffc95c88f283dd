/**
 * Tasks over runtimes: the provider that runs each task's pipeline with the model's first artifact whose runtime
 * this provider has and whose file is installed. The edge provider is this over onnxruntime-web and LiteRT.js in
 * the isolate; a remote tier is this over a runtime whose runs are network calls (`files` then need hold nothing).
 *
 * @example
 * const provider = createPipelineProvider({ tier: 'edge', runtimes: [litert, ortWeb], files });
 */
import type { ModelInfo, Task, Tier } from '@cvkit/sdk/contract';
import { ApiError } from '../errors';
import { type Labels, loadLabels } from '../models/labels';
import { type ArtifactSpec, findModel, type ModelSpec, labelSpec, manifest } from '../models/manifest';
import { gpuModelBytes } from '../models/placement';
import type { PipelineContext } from '../pipeline/types';
import { createResidentModels, type ResidentModels } from '../runtimes/budget';
import type { Runtime } from '../runtimes/types';
import { tasks } from '../tasks';
import type { Served, TaskCall, VisionProvider } from './types';

/** The installed model pack, as a host reads it. */
export interface ModelFiles {
  read(file: string): Promise<Uint8Array>;
  /** Whether the file is installed (checked once per file per isolate). */
  has(file: string): Promise<boolean>;
}

export interface PipelineProviderOptions {
  tier: Tier;
  /** The runtimes this provider may run artifacts on, by name (their order does not matter: the manifest's does). */
  runtimes: readonly Runtime<ArtifactSpec>[];
  files: ModelFiles;
  /** Memory budget for the local runtimes' resident models, MiB (runtimes/budget.ts). */
  budgetMb?: number;
  /** The longest a request waits for a load, room or a busy model, ms. */
  waitMs?: number;
}

export interface PipelineProvider extends VisionProvider {
  /** The artifact this provider serves the model with, or undefined when none is available here. */
  artifact(model: ModelSpec): Promise<ArtifactSpec | undefined>;
  /** Loaded models and memory (tests, benchmarks). */
  readonly resident: ResidentModels;
}

/** The model as the API describes it, served by `artifact` on `tier`. */
export function modelInfo(model: ModelSpec, artifact: ArtifactSpec, tier: Tier): ModelInfo {
  return {
    id: model.id,
    task: model.task,
    tier,
    tiers: [tier],
    runtime: artifact.runtime,
    default: model.default,
    input: { width: model.input.width, height: model.input.height },
    labels: labelSpec(model).count,
    license: model.license,
    accuracy: model.accuracy,
    // A remote artifact has no file here: report the size of the graph the GPU tier serves (0 only if unknown).
    bytes: artifact.bytes ?? (artifact.runtime === 'oip-v2' ? gpuModelBytes(model) : undefined) ?? 0,
    source: model.source,
  };
}

export function createPipelineProvider({ tier, runtimes, files, budgetMb, waitMs }: PipelineProviderOptions): PipelineProvider {
  const resident = createResidentModels({ runtimes, readFile: (f) => files.read(f), budgetMb, waitMs });
  // Plain values, never shared promises (see runtimes/wait.ts): a request that finds nothing cached reads for itself.
  const installed = new Map<string, boolean>();
  const labels = new Map<string, Labels>();

  async function isInstalled(file: string): Promise<boolean> {
    let known = installed.get(file);
    if (known === undefined) installed.set(file, (known = await files.has(file)));
    return known;
  }

  async function artifact(model: ModelSpec): Promise<ArtifactSpec | undefined> {
    for (const a of model.artifacts) {
      const runtime = resident.runtime(a.runtime);
      if (!runtime) continue;
      if (runtime.kind === 'remote' || (a.file !== undefined && (await isInstalled(a.file)))) return a;
    }
    return undefined;
  }

  async function modelLabels(model: ModelSpec): Promise<Labels> {
    let list = labels.get(model.labels);
    if (!list) labels.set(model.labels, (list = await loadLabels(labelSpec(model), (f) => files.read(f))));
    return list;
  }

  /** The pipeline context for a call: the served artifact, a runner bound to it, the labels. */
  async function context(call: TaskCall): Promise<{ ctx: PipelineContext; info: ModelInfo }> {
    const { model } = call;
    const chosen = await artifact(model);
    if (!chosen) {
      throw new ApiError('model_not_found', `Model '${model.id}' is not installed on this server (runtimes: ${runtimes.map((r) => r.name).join(', ')}); run \`npm run models\`.`);
    }
    const ctx: PipelineContext = {
      model,
      artifact: chosen,
      runner: { run: (inputs, options) => resident.run(chosen, inputs, options) },
      labels: await modelLabels(model),
      image: call.image,
      timer: call.timer,
      signal: call.signal,
      subtask: async <R extends object>(task: string, id: string | undefined, options: object) =>
        (await run({ ...call, model: findModel(task as Task, id), options })) as unknown as R,
    };
    return { ctx, info: modelInfo(model, chosen, tier) };
  }

  async function run(call: TaskCall): Promise<Served> {
    const { ctx, info } = await context(call);
    return { model: info, ...(await tasks[call.model.task].pipeline(ctx, call.options as never)) };
  }

  return {
    specificationVersion: 'v1',
    tier,
    resident,
    artifact,
    async models() {
      const out: ModelInfo[] = [];
      for (const model of manifest.models) {
        const a = await artifact(model);
        if (a) out.push(modelInfo(model, a, tier));
      }
      return out;
    },
    run,
    labels: async (model) => (await modelLabels(model)).names,
  };
}
