#!/usr/bin/env node
/**
 * Installs the model files the worker serves (every artifact in packages/worker/src/models/manifest.json) from a model
 * pack into a git-ignored folder, verifying every sha256.
 *
 *   npm run models                         # pack from $CVKIT_MODEL_PACK, else ../shared/models
 *   CVKIT_MODEL_PACK=https://host/pack/ npm run models
 *   npm run models -- /data/cvkit-models     # or name the pack as the argument
 *   CVKIT_MODELS=models.json npm run models  # plus your own models (docs/models.md)
 *   npm run models -- --catalog models.json  # the same, the catalog as an argument
 *
 * The pack is a directory or an http(s) base URL holding the files under the manifest's names. Files are staged
 * and verified first, then moved into place together: a wrong or missing file fails the run naming that file, and
 * leaves the installed folder as it was. Files already present with the right sha256 are not fetched again.
 *
 * A user catalog is checked (every model against its file, in its runtime) and staged before the pack is touched;
 * a bad catalog prints one line per problem and exits 1 with ./models unchanged, so the built-in models keep
 * serving. Without a catalog, user models installed earlier stay; an empty catalog (`{ "models": [] }`) removes them.
 * Runs under tsx (the catalog code is TypeScript shared with the worker's runtimes).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const manifestPath = join(root, 'packages/worker/src/models/manifest.json');

/** Every file the manifest needs: each model's artifact files (.onnx, .tflite) and the label lists, with their sha256. */
export function manifestFiles(manifest) {
  return [
    ...manifest.models.flatMap((m) => m.artifacts.filter((a) => a.file).map((a) => ({ file: a.file, sha256: a.sha256 }))),
    ...Object.values(manifest.labels).filter((l) => l.file).map((l) => ({ file: l.file, sha256: l.sha256 })),
  ];
}

/** The pack to install from: the explicit argument, $CVKIT_MODEL_PACK, or ../shared/models beside the checkout. */
export function defaultPack(env = process.env) {
  if (env.CVKIT_MODEL_PACK) return env.CVKIT_MODEL_PACK;
  const shared = resolve(root, '../shared/models');
  if (existsSync(shared)) return shared;
  throw new Error(
    'No model pack: set CVKIT_MODEL_PACK to a directory or http(s) URL holding the cvkit model files ' +
      '(for example CVKIT_MODEL_PACK=/path/to/models npm run models).',
  );
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

async function readFromPack(pack, file, timeoutMs) {
  if (/^https?:\/\//i.test(pack)) {
    const url = new URL(file, pack.endsWith('/') ? pack : `${pack}/`);
    let res;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new Error(`${file}: cannot fetch ${url}: ${err.cause?.message ?? err.message}`);
    }
    if (!res.ok) throw new Error(`${file}: ${url} answered HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  try {
    return await readFile(join(pack, file));
  } catch (err) {
    throw new Error(`${file}: not found in the model pack ${pack} (${err.code ?? err.message})`);
  }
}

/**
 * Installs the manifest's files from `pack` into `dest`. Returns { installed, present } file lists.
 * Throws, naming the file, when one is missing or its sha256 differs; nothing is moved into `dest` then.
 */
export async function installModels({ pack = defaultPack(), dest = join(root, 'models'), manifest, timeoutMs = 60_000, log = () => {} } = {}) {
  manifest ??= JSON.parse(await readFile(manifestPath, 'utf8'));
  const wanted = manifestFiles(manifest);
  const present = [];
  const missing = [];
  for (const entry of wanted) {
    const target = join(dest, entry.file);
    const ok = existsSync(target) && sha256(await readFile(target)) === entry.sha256;
    (ok ? present : missing).push(entry);
  }
  if (missing.length === 0) return { installed: [], present: present.map((e) => e.file) };

  const staging = join(dest, `.staging-${process.pid}-${Date.now()}`);
  try {
    for (const entry of missing) {
      const bytes = await readFromPack(pack, entry.file, timeoutMs);
      const actual = sha256(bytes);
      if (actual !== entry.sha256) {
        throw new Error(`${entry.file}: sha256 mismatch in the model pack ${pack} (expected ${entry.sha256}, got ${actual})`);
      }
      await mkdir(dirname(join(staging, entry.file)), { recursive: true });
      await writeFile(join(staging, entry.file), bytes);
      log(`verified ${entry.file} (${bytes.byteLength} bytes)`);
    }
    for (const entry of missing) {
      await mkdir(dirname(join(dest, entry.file)), { recursive: true });
      await rename(join(staging, entry.file), join(dest, entry.file));
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { installed: missing.map((e) => e.file), present: present.map((e) => e.file) };
}

/**
 * The built-in pack plus a user catalog, all or nothing: the catalog is checked and staged first, then the pack is
 * installed, then the catalog moves in. Resolves { installed, present, catalog? }; rejects with an error whose
 * `problems` lists one line per catalog problem when the catalog is bad (nothing in `dest` changed then).
 */
export async function installAll({ pack, catalog, dest = join(root, 'models'), manifest, timeoutMs, log = () => {} }) {
  manifest ??= JSON.parse(await readFile(manifestPath, 'utf8'));
  let prepared;
  if (catalog) {
    const { prepareCatalog } = await import('./catalog/install-catalog.ts');
    prepared = await prepareCatalog({ catalog, dest, builtInIds: manifest.models.map((m) => m.id), timeoutMs, log });
    if (!prepared.ok) {
      const err = new Error(`the catalog ${catalog} was not installed (${prepared.problems.length} problem(s)); ./models is unchanged`);
      err.problems = prepared.problems;
      throw err;
    }
  }
  try {
    const result = await installModels({ pack, dest, manifest, timeoutMs, log });
    await prepared?.commit();
    return { ...result, ...(prepared ? { catalog: prepared.catalog } : {}) };
  } finally {
    await prepared?.discard();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { values, positionals } = parseArgs({ options: { catalog: { type: 'string' }, dest: { type: 'string' } }, allowPositionals: true });
    // npm runs scripts from the package root: relative paths are the caller's, from where npm was started.
    const here = (path) => (path === undefined || /^https?:\/\//i.test(path) ? path : resolve(process.env.INIT_CWD ?? process.cwd(), path));
    const pack = here(positionals[0]) ?? defaultPack();
    const catalog = here(values.catalog ?? process.env.CVKIT_MODELS);
    const dest = here(values.dest);
    const { installed, present, catalog: user } = await installAll({ pack, catalog, dest, log: (line) => console.log(`models: ${line}`) });
    console.log(`models: ${installed.length} installed, ${present.length} already present (pack: ${pack})`);
    if (user) console.log(`models: ${user.models.length} user model(s) from ${catalog}: ${user.models.map((m) => m.id).join(', ') || 'none'}`);
  } catch (err) {
    for (const line of err.problems ?? []) console.error(`models: ${line}`);
    console.error(`models: ${err.message}`);
    process.exit(1);
  }
}
