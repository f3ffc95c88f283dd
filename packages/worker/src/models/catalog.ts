/**
 * The user's own models: `npm run models` installs them beside the built-in pack with a `catalog.json` in the
 * manifest's format (every field resolved from the files, sha256 pinned: scripts/install-models.mjs, docs/models.md),
 * and the worker reads it at run time from its model files (the assets binding in workerd, a folder in Node). No
 * source edit, no rebuild: deploying the models folder is deploying the catalog.
 *
 * Merging: user models join the built-in ones (`source: "catalog"`); a user model marked `default` becomes its
 * task's default in place of the built-in one; a user id equal to a built-in id is refused. An invalid catalog is
 * logged and left out as a whole: the built-in models keep serving (the installer checks every entry first).
 */
import { builtinManifest, type ManifestData, parseManifest, useManifest } from './manifest';

export const CATALOG_FILE = 'catalog.json';

type Json = { labels?: Record<string, unknown>; models?: Array<Record<string, unknown>> };

/** The built-in manifest with the user's catalog merged in. Throws, listing every problem, when the result is invalid. */
export function mergeCatalog(builtin: Json, user: unknown): ManifestData {
  if (typeof user !== 'object' || user === null || !Array.isArray((user as Json).models)) throw new Error(`${CATALOG_FILE}: expected { "labels": {...}, "models": [...] }`);
  const { labels = {}, models = [] } = user as Json;
  const builtinIds = new Set((builtin.models ?? []).map((m) => m.id));
  const clash = models.filter((m) => builtinIds.has(m.id)).map((m) => String(m.id));
  if (clash.length) throw new Error(`${CATALOG_FILE}: ${clash.join(', ')}: ${clash.length > 1 ? 'these ids are' : 'this id is'} built in; give your model another id`);
  const sharedLabels = Object.keys(labels).filter((k) => k in (builtin.labels ?? {}));
  if (sharedLabels.length) throw new Error(`${CATALOG_FILE}: label list ${sharedLabels.join(', ')} is built in; use another key`);
  const userDefaults = new Set(models.filter((m) => m.default === true).map((m) => m.task));
  return parseManifest({
    labels: { ...builtin.labels, ...labels },
    models: [
      ...(builtin.models ?? []).map((m) => (userDefaults.has(m.task) ? { ...m, default: false } : m)),
      ...models.map((m) => ({ ...m, source: 'catalog' })),
    ],
  });
}

export interface CatalogState {
  /** Whether the catalog has been read (once per isolate). */
  loaded: boolean;
  /** What was wrong with the user's catalog, if anything (it is then not served). */
  problem?: string;
  /** How many user models are served. */
  models: number;
}

const state: CatalogState = { loaded: false, models: 0 };

export const catalogState = (): Readonly<CatalogState> => state;

/**
 * Reads the user's catalog once: `read` gives the installed catalog.json's bytes, or undefined when there is none.
 * Each request that finds it unread reads it itself (no pending promise is shared across requests: workerd cancels
 * a request's wait on another request's promise); the first to finish installs it.
 */
export async function ensureCatalog(read: () => Promise<Uint8Array | undefined>): Promise<void> {
  if (state.loaded) return;
  let bytes: Uint8Array | undefined;
  try {
    bytes = await read();
  } catch (err) {
    if (state.loaded) return;
    state.problem = `${CATALOG_FILE} could not be read: ${(err as Error).message}`;
  }
  if (state.loaded) return;
  state.loaded = true;
  if (!bytes) return;
  try {
    const merged = mergeCatalog(builtinManifest, JSON.parse(new TextDecoder().decode(bytes)));
    useManifest(merged);
    state.models = merged.models.filter((m) => m.source === 'catalog').length;
  } catch (err) {
    state.problem = (err as Error).message;
    console.error(`cvkit: the user catalog is not served (the built-in models are): ${state.problem}`);
  }
}
