/**
 * Resident models: each artifact loaded once per isolate by its runtime and kept, the local ones within one memory
 * budget across all local runtimes (onnxruntime-web and LiteRT.js alike). Each artifact's manifest entry says how
 * much wasm memory it adds (`memory_mb`, measured by bench/memory.ts); loading one that does not fit first releases
 * the least recently used idle models, and waits while the ones in the way are busy. Wasm memory never shrinks, but
 * released space is reused, so the budget bounds the isolate however many models callers ask for. Remote runtimes
 * hold no isolate memory: their loaded models are cached but never count, and their runs may overlap.
 *
 * No request ever awaits a promise another request settles (workerd cancels such a request as hung): a load is
 * awaited only by the request that started it, and a request that must wait (for a load by another request, for
 * room in the budget, for a local model busy with another run) polls plain state on its own timer, for at most
 * `waitMs`, then fails with the documented busy error (429 rate_limited, retryable). A failed load is not kept.
 */
import type { ArtifactSpec } from '../models/manifest';
import type { LoadedModel, RunOptions, Runtime, Tensors } from './types';
import { busyError, throwIfAborted } from './wait';

/** Fits the default models beside the runtimes' own wasm, the decoders and the JS heap in a 128 MB isolate. */
export const DEFAULT_BUDGET_MB = 80;

export interface ResidentModelsOptions {
  runtimes: readonly Runtime<ArtifactSpec>[];
  /** Reads a file of the installed model pack by its manifest path. */
  readFile(file: string): Promise<Uint8Array>;
  /** Wasm memory the resident local models may add together, MiB. */
  budgetMb?: number;
  /** The longest a request waits for a load, room or a busy model, ms. */
  waitMs?: number;
  /** How often a waiting request looks again, ms. */
  pollMs?: number;
  /** Clock and sleep, injectable for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ResidentModels {
  /** Runs the artifact on its runtime, loading it (within the budget) when it is not resident. */
  run(artifact: ArtifactSpec, inputs: Tensors, options?: RunOptions): Promise<Tensors>;
  /** Keys of the resident (and loading) artifacts, least recently used first. */
  resident(): string[];
  /** The runtime of that name, if this host has it. */
  runtime(name: string): Runtime<ArtifactSpec> | undefined;
  /** Wasm memory the local runtimes hold now, bytes. */
  memoryBytes(): number;
}

interface Entry {
  artifact: ArtifactSpec;
  local: boolean;
  loaded: LoadedModel | undefined;
  /** A local model runs one inference at a time. */
  busy: boolean;
  /** Requests running or waiting to run it: only unused entries are released. */
  users: number;
}

export function createResidentModels({
  runtimes,
  readFile,
  budgetMb = DEFAULT_BUDGET_MB,
  waitMs = 30_000,
  pollMs = 5,
  now = Date.now,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}: ResidentModelsOptions): ResidentModels {
  const byName = new Map(runtimes.map((r) => [r.name, r]));
  // Map order is recency: a used entry moves to the end.
  const entries = new Map<string, Entry>();

  const cost = (e: Entry) => (e.local ? e.artifact.memory_mb : 0);

  function release(key: string, entry: Entry) {
    entries.delete(key);
    try {
      Promise.resolve(entry.loaded?.release()).catch((err) => console.error(`releasing ${key}:`, err));
    } catch (err) {
      console.error(`releasing ${key}:`, err);
    }
  }

  /** Releases idle models, oldest first, until `artifact` fits; false when the ones in the way are in use. */
  function makeRoom(artifact: ArtifactSpec, local: boolean): boolean {
    if (!local) return true;
    let used = [...entries.values()].reduce((sum, e) => sum + cost(e), 0);
    for (const [key, entry] of entries) {
      if (used + artifact.memory_mb <= budgetMb) break;
      if (!entry.local || entry.users > 0 || !entry.loaded) continue;
      release(key, entry);
      used -= cost(entry);
    }
    // A model alone may exceed the budget; otherwise it waits for room.
    const othersLocal = [...entries.values()].some((e) => e.local);
    return !othersLocal || used + artifact.memory_mb <= budgetMb;
  }

  async function load(entry: Entry, runtime: Runtime<ArtifactSpec>, signal: AbortSignal | undefined) {
    const { artifact } = entry;
    try {
      const bytes = artifact.file && runtime.kind === 'local' ? await readFile(artifact.file) : undefined;
      entry.loaded = await runtime.load({ artifact, bytes, signal });
    } catch (err) {
      if (entries.get(artifact.key) === entry) entries.delete(artifact.key);
      throw err;
    }
  }

  return {
    resident: () => [...entries.keys()],
    runtime: (name) => byName.get(name),
    memoryBytes: () => runtimes.reduce((sum, r) => sum + (r.kind === 'local' ? r.memoryBytes() : 0), 0),

    async run(artifact, inputs, { signal } = {}) {
      const runtime = byName.get(artifact.runtime);
      if (!runtime) throw new Error(`runtime ${artifact.runtime} is not available on this host`);
      const local = runtime.kind === 'local';
      const start = now();
      let waitingFor = '';
      let held: Entry | undefined;
      const wait = async (what: string) => {
        waitingFor = what;
        if (now() - start >= waitMs) throw busyError(waitingFor, now() - start);
        await sleep(pollMs);
      };
      try {
        for (;;) {
          throwIfAborted(signal);
          const entry = entries.get(artifact.key);
          if (entry !== held) {
            // Released or failed while waiting: what this request held is gone.
            if (held) held.users--;
            held = undefined;
          }
          if (!entry) {
            if (!makeRoom(artifact, local)) {
              await wait(`memory for ${artifact.model}`);
              continue;
            }
            const created: Entry = { artifact, local, loaded: undefined, busy: false, users: 1 };
            entries.set(artifact.key, created);
            held = created;
            await load(created, runtime, signal);
            continue;
          }
          if (!held) {
            entry.users++;
            held = entry;
          }
          // Most recently used last.
          entries.delete(artifact.key);
          entries.set(artifact.key, entry);
          if (!entry.loaded) {
            await wait(`${artifact.model} to load`);
            continue;
          }
          if (local && entry.busy) {
            await wait(`${artifact.model} to finish another request`);
            continue;
          }
          if (local) entry.busy = true;
          try {
            return await entry.loaded.run(inputs, { signal });
          } finally {
            if (local) entry.busy = false;
          }
        }
      } finally {
        if (held) held.users--;
      }
    },
  };
}
