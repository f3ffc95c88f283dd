/**
 * The inference engine: one lazily created ORT session per model per isolate, label lists, and `run`.
 * Sessions stay resident within a memory budget: each model's manifest entry says how much ORT wasm memory it
 * needs (`memory_mb`, measured by bench/memory.ts), and loading one more than the budget holds releases the least
 * recently used idle sessions first. ORT's wasm memory never shrinks, but released space is reused, so the budget
 * bounds the isolate's peak however many different models callers ask for.
 * Runtime specifics (how ORT is loaded, where model bytes come from) are injected as an `EngineRuntime`,
 * one small module per runtime: ort-workerd.ts and ort-node.ts.
 */
import type * as Ort from 'onnxruntime-web';
import { type LabelSpec, type ModelSpec, labelSpec } from '../models/manifest';

export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor' | 'env'>;

export interface EngineRuntime {
  ort: OrtModule;
  /** Reads a file of the installed model pack, by its manifest path ("mobilenet.onnx", "labels/x.txt"). */
  readFile(file: string): Promise<Uint8Array>;
}

export interface Labels {
  /** Display names, index for index with the model's outputs. */
  names: string[];
  /** The full label lines (synonyms included). */
  lines: string[];
}

/** What extra model inputs may be built from. */
export interface RunContext {
  /** The size of the image the outputs should be in (DETR exports scale boxes by it). */
  imageSize?: { width: number; height: number };
}

/** The extra inputs a manifest entry names in `feeds`, e.g. DEIMv2's `orig_target_sizes` = [[w, h]]. */
export function extraFeeds(ort: OrtModule, model: ModelSpec, context: RunContext): Record<string, Ort.Tensor> {
  const feeds: Record<string, Ort.Tensor> = {};
  for (const feed of model.feeds) {
    const size = context.imageSize;
    if (!size) throw new Error(`model ${model.id} needs the image size for its '${feed.name}' input`);
    feeds[feed.name] = new ort.Tensor('int64', BigInt64Array.from([BigInt(size.width), BigInt(size.height)]), [1, 2]);
  }
  return feeds;
}

export interface EngineOptions {
  /** ORT wasm memory the resident sessions may need together, MiB. */
  budgetMb?: number;
}

/** Fits the three default models (about 76 MiB) beside ORT's own ~14 MiB, photon and the JS heap in 128 MB. */
export const DEFAULT_BUDGET_MB = 80;

export interface Engine {
  /** Ids of the models whose sessions are resident, least recently used first. */
  resident(): string[];
  session(model: ModelSpec): Promise<Ort.InferenceSession>;
  labels(model: ModelSpec): Promise<Labels>;
  /**
   * Runs the model on one float32 input tensor, plus the extra inputs its manifest entry names in `feeds`
   * (built from `context`); returns its outputs by name.
   */
  run(model: ModelSpec, input: Float32Array, context?: RunContext): Promise<Ort.InferenceSession.OnnxValueMapType>;
}

/** Caches a promise by key; a rejected one is dropped so the next call tries again. */
function memoize<T>(cache: Map<string, Promise<T>>, key: string, create: () => Promise<T>): Promise<T> {
  let pending = cache.get(key);
  if (!pending) {
    pending = create();
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

export function parseLabels(text: string, spec: Pick<LabelSpec, 'format'> & Partial<Pick<LabelSpec, 'display'>>): Labels {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const names = spec.format === 'synset' ? lines.map((line) => (line.split(',')[0] ?? line).trim()) : lines.map((l) => l.trim());
  return { names: names.map((name) => spec.display?.[name] ?? name), lines };
}

interface Resident {
  model: ModelSpec;
  session: Promise<Ort.InferenceSession>;
  /** Runs holding the session; only idle sessions are released. */
  users: number;
}

export function createEngine(runtime: EngineRuntime, { budgetMb = DEFAULT_BUDGET_MB }: EngineOptions = {}): Engine {
  // Map order is recency: a used entry is moved to the end.
  const sessions = new Map<string, Resident>();
  const labels = new Map<string, Promise<Labels>>();
  // ORT-web runs one inference at a time per session; queue concurrent requests instead of interleaving them.
  const queues = new Map<string, Promise<unknown>>();
  const { ort } = runtime;

  function release(id: string, entry: Resident) {
    sessions.delete(id);
    entry.session.then((session) => session.release()).catch(() => {});
  }

  // Runs waiting for busy sessions to go idle so that theirs fits the budget.
  const waiting: Array<() => void> = [];

  /**
   * The model's resident session, created (after making room for it) when absent; undefined when it does not fit
   * and the sessions in the way are busy (try again once one goes idle). A model alone may exceed the budget.
   */
  function acquire(model: ModelSpec, mustFit = true): Resident | undefined {
    const hit = sessions.get(model.id);
    if (hit) {
      sessions.delete(model.id);
      sessions.set(model.id, hit);
      return hit;
    }
    let used = [...sessions.values()].reduce((sum, e) => sum + e.model.memory_mb, 0);
    for (const [id, entry] of sessions) {
      if (used + model.memory_mb <= budgetMb) break;
      if (entry.users > 0) continue;
      release(id, entry);
      used -= entry.model.memory_mb;
    }
    if (mustFit && sessions.size > 0 && used + model.memory_mb > budgetMb) return undefined;
    const entry: Resident = {
      model,
      users: 0,
      session: runtime.readFile(model.file).then((bytes) =>
        ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: model.session.graphOptimizationLevel }),
      ),
    };
    // A failed creation is not kept: the next request tries again.
    entry.session.catch(() => {
      if (sessions.get(model.id) === entry) sessions.delete(model.id);
    });
    sessions.set(model.id, entry);
    return entry;
  }

  const engine: Engine = {
    resident: () => [...sessions.keys()],

    session: (model) => (acquire(model, false) as Resident).session,

    labels: (model) =>
      memoize(labels, model.labels, async () => {
        const spec = labelSpec(model);
        const parsed = parseLabels(new TextDecoder().decode(await runtime.readFile(spec.file)), spec);
        if (parsed.names.length !== spec.count) {
          throw new Error(`${spec.file} has ${parsed.names.length} labels, the manifest says ${spec.count}`);
        }
        return parsed;
      }),

    async run(model, input, context = {}) {
      let entry: Resident | undefined;
      while (!(entry = acquire(model))) await new Promise<void>((resolve) => waiting.push(resolve));
      entry.users++;
      try {
        const session = await entry.session;
        const { width, height, layout, name } = model.input;
        const dims = layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3];
        const previous = queues.get(model.id) ?? Promise.resolve();
        const current = previous.catch(() => {}).then(() => session.run({ [name]: new ort.Tensor('float32', input, dims), ...extraFeeds(ort, model, context) }));
        queues.set(model.id, current);
        try {
          return await current;
        } finally {
          if (queues.get(model.id) === current) queues.delete(model.id);
        }
      } finally {
        entry.users--;
        if (entry.users === 0) for (const wake of waiting.splice(0)) wake();
      }
    },
  };
  return engine;
}
