/**
 * The provider interface: a task-level contract the HTTP routes talk to. The edge provider runs the task pipelines
 * over the runtimes inside the isolate (providers/pipeline.ts); a remote tier is the same pipelines over a runtime
 * whose runs are network calls, or a task-level service of its own (Workers AI). Providers are task-agnostic: the
 * call's model says the task, and the task table (tasks.ts) says how to run it.
 */
import type { Fallback, ModelInfo, Task, Tier, TierOption } from '@cvkit/sdk/contract';
import type { ModelSpec } from '../models/manifest';
import type { ImageSource } from '../pipeline/types';
import type { Timer } from '../timings';

export type { ImageSource } from '../pipeline/types';

export interface TaskCall<Options = object> {
  image: ImageSource;
  /** The model to run; its `task` says which task. */
  model: ModelSpec;
  /** The task's pipeline options (the task's definition shapes them from the request's). */
  options: Options;
  timer: Timer;
  signal?: AbortSignal | undefined;
}

/** Every result says which model, tier and runtime produced it. */
export interface Served {
  model: ModelInfo;
}

export interface VisionProvider {
  readonly specificationVersion: 'v1';
  readonly tier: Tier;
  /** The models this provider can serve now, each as it would serve it (which runtime); the rest are left out. */
  models(): Promise<ModelInfo[]>;
  /** Runs the call's model on its task; the result is the task pipeline's output plus `model`. */
  run(call: TaskCall): Promise<Served>;
  /** The model's label names, index for index (GET /v1/models/{id}). */
  labels?(model: ModelSpec): Promise<string[]>;
}

/** A task call with the caller's `tier` option (default auto). */
export interface TieredCall<Options = object> extends TaskCall<Options> {
  tier?: TierOption;
}

export type WithFallback<R> = R & { fallback?: Fallback };

/** What task handlers need of the provider: tier routing, and the model a request names. */
export interface TaskRunner {
  run(call: TieredCall): Promise<WithFallback<Served>>;
  /** The model for a task: `id` when given, else the task's default. Throws model_not_found. */
  findModel(task: Task, id: string | undefined): ModelSpec;
}

/** Runs a task through a provider, typed as the task's pipeline output `R`. */
export const runTask = <R extends object>(provider: Pick<TaskRunner, 'run'>, call: TieredCall): Promise<WithFallback<R & Served>> =>
  provider.run(call) as Promise<WithFallback<R & Served>>;
