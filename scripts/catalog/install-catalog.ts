/**
 * Installing a user catalog (docs/models.md): every entry's file is read (a path relative to the catalog, or an
 * http(s) URL), its sha256 pinned (printed; checked against the entry's), its labels resolved (a text file, an
 * inline list, or what the file carries), its preprocessing and output spec resolved from the file, and the model
 * loaded and run once in its runtime. Only when every model passes is anything written: the files are staged,
 * then moved into place together with `catalog.json` (the worker's manifest schema, `source: "catalog"` on each
 * model). A failure leaves the installed folder exactly as it was; each problem is one line naming the model id
 * and the field.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { type CatalogEntry, type Problem, parseCatalog, problemLine } from './catalog-entry';
import { runOnce } from './load-check';
import { formatOf, type ModelFileInfo, readModelFile } from './model-file';
import { resolveInput } from './resolve-input';
import { resolveOutput, type SeenOutput } from './resolve-output';
import { splitLabels } from './tflite-info';

export interface CatalogOptions {
  /** The catalog file (models.json). */
  catalog: string;
  /** The installed models folder. */
  dest: string;
  /** Ids of the built-in models: a user model may not reuse one. */
  builtInIds?: readonly string[];
  timeoutMs?: number;
  log?: (line: string) => void;
}

export type PreparedCatalog =
  | { ok: false; problems: string[] }
  | { ok: true; catalog: CatalogJson; commit(): Promise<void>; discard(): Promise<void> };

export interface CatalogJson {
  labels: Record<string, { file: string; sha256: string; format: 'plain'; count: number }>;
  models: Record<string, unknown>[];
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const isUrl = (s: string) => /^https?:\/\//i.test(s);
const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 300) ?? '';

/** Wasm memory estimate for a model cvkit has not measured: weights, arena and activations, ~3x the file + 8 MiB. */
export const estimateMemoryMb = (bytes: number) => Math.ceil((3 * bytes) / 2 ** 20 + 8);

/** Reads a file the catalog names: relative to the catalog's folder, or over http(s). Throws a one-line reason. */
async function readNamed(name: string, catalogDir: string, timeoutMs: number): Promise<Uint8Array> {
  if (isUrl(name)) {
    let res: Response;
    try {
      res = await fetch(name, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new Error(`cannot fetch ${name}: ${(err as { cause?: Error }).cause?.message ?? firstLine(err)}`);
    }
    if (!res.ok) throw new Error(`${name} answered HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  const path = resolve(catalogDir, name);
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw new Error(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? firstLine(err)})`);
  }
}

/** The name a user file is installed under: the last path segment, in a safe alphabet. */
function installedName(file: string, format: 'onnx' | 'tflite'): string {
  const last = isUrl(file) ? (new URL(file).pathname.split('/').pop() ?? '') : basename(file);
  const safe = last.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' || safe === 'labels.txt' ? `model.${format}` : safe;
}

interface Checked {
  entry: CatalogEntry;
  bytes: Uint8Array;
  fileName: string;
  labels: string[];
  model: Record<string, unknown>;
}

/** Checks one entry against its file; returns the model JSON, or its problems. */
async function checkEntry(entry: CatalogEntry, catalogDir: string, timeoutMs: number, log: (l: string) => void): Promise<Checked | Problem[]> {
  const problems: Problem[] = [];
  const fail = (field: string, message: string) => problems.push({ id: entry.id, field, message });
  let bytes: Uint8Array;
  try {
    bytes = await readNamed(entry.file, catalogDir, timeoutMs);
  } catch (err) {
    return [{ id: entry.id, field: 'file', message: firstLine(err) }];
  }
  const hash = sha256(bytes);
  log(`${entry.id}: sha256 ${hash} (${entry.file}, ${bytes.byteLength} bytes)`);
  if (entry.sha256 && entry.sha256 !== hash) fail('sha256', `the file's sha256 is ${hash}, the entry says ${entry.sha256}`);
  const format = formatOf(entry.file, bytes);
  if (!format) return [...problems, { id: entry.id, field: 'file', message: `not a .tflite or .onnx file (${entry.file})` }];
  let info: ModelFileInfo;
  try {
    info = readModelFile(format, bytes);
  } catch (err) {
    return [...problems, { id: entry.id, field: 'file', message: firstLine(err) }];
  }
  const where = entry.where ?? 'edge';
  if (format === 'tflite' && where !== 'edge') fail('where', `'${where}': a TFLite model runs on the edge only (LiteRT.js); the GPU tier serves ONNX files`);
  const prefer = entry.prefer ?? (where === 'gpu' ? 'gpu' : 'edge');
  if (where === 'edge' && prefer === 'gpu') fail('prefer', "'gpu', but the model runs on the edge only (where: edge)");
  if (where === 'gpu' && prefer === 'edge') fail('prefer', "'edge', but the model runs on the GPU only (where: gpu)");

  // Labels: the entry's list or file, else what the model file carries.
  let labels: string[] | undefined;
  if (Array.isArray(entry.labels)) labels = entry.labels;
  else if (typeof entry.labels === 'string') {
    try {
      labels = splitLabels(new TextDecoder().decode(await readNamed(entry.labels, catalogDir, timeoutMs)));
      if (labels.length === 0) fail('labels', `${entry.labels} is empty`);
    } catch (err) {
      fail('labels', firstLine(err));
    }
  } else if (info.labels) {
    labels = info.labels.names;
    log(`${entry.id}: ${labels.length} labels from ${info.labels.from}`);
  } else {
    fail('labels', 'none given, and the file carries none (no ONNX metadata `names`, no TFLite label file): give a label file or a list');
  }

  const { resolved: input, problems: inputProblems } = resolveInput(entry, info);
  problems.push(...inputProblems);
  if (!input) return problems;
  let seen: SeenOutput[];
  try {
    seen = await runOnce({ runtime: info.runtime, id: entry.id, bytes, input });
  } catch (err) {
    return [...problems, { id: entry.id, field: 'file', message: `does not load and run in ${info.runtime} with input '${input.tensor.name}' [${input.dims.join(', ')}]: ${firstLine(err)}` }];
  }
  const { resolved: output, problems: outputProblems } = resolveOutput(entry, info, seen, labels?.length, input.input);
  problems.push(...outputProblems);
  if (problems.length > 0 || !output || !labels) return problems;

  const fileName = installedName(entry.file, format);
  const file = `user/${entry.id}/${fileName}`;
  const io = { input: input.tensor, feeds: input.feeds, output: output.output, dequantize: output.dequantize };
  const artifacts: Record<string, unknown>[] = [];
  if (where !== 'gpu') artifacts.push({ runtime: info.runtime, file, sha256: hash, bytes: bytes.byteLength, ...io, memory_mb: estimateMemoryMb(bytes.byteLength) });
  // The GPU tier serves the same ONNX file unchanged (form raw); npm run gpu:repo generates it from `source`.
  if (where !== 'edge') artifacts.push({ runtime: 'oip-v2', form: 'raw', source: file, ...io, dequantize: {}, memory_mb: 0 });
  const model = {
    id: entry.id,
    task: entry.task,
    default: entry.default ?? false,
    license: entry.license ?? 'not stated (user catalog)',
    provenance: entry.provenance ?? `user catalog: ${isUrl(entry.file) ? entry.file : basename(entry.file)}, sha256 ${hash}`,
    accuracy: entry.accuracy ?? 'not stated',
    input: input.input,
    labels: `user:${entry.id}`,
    where,
    prefer,
    source: 'catalog',
    artifacts,
  };
  return { entry, bytes, fileName, labels, model };
}

/** Reads and checks a catalog, staging its files; nothing in `dest` changes until `commit()`. */
export async function prepareCatalog({ catalog, dest, builtInIds = [], timeoutMs = 60_000, log = () => {} }: CatalogOptions): Promise<PreparedCatalog> {
  const catalogPath = resolve(catalog);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(catalogPath, 'utf8'));
  } catch (err) {
    return { ok: false, problems: [`catalog: ${catalogPath}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `not JSON (${firstLine(err)})`}`] };
  }
  const parsed = parseCatalog(json);
  const problems: Problem[] = [...parsed.problems];
  const seenIds = new Set<string>();
  const checked: Checked[] = [];
  for (const { entry, problems: shape } of parsed.entries) {
    problems.push(...shape);
    if (!entry) continue;
    if (builtInIds.includes(entry.id)) problems.push({ id: entry.id, field: 'id', message: 'is a built-in model id; choose another' });
    else if (seenIds.has(entry.id)) problems.push({ id: entry.id, field: 'id', message: 'appears twice in the catalog' });
    seenIds.add(entry.id);
    const result = await checkEntry(entry, dirname(catalogPath), timeoutMs, log);
    if (Array.isArray(result)) problems.push(...result);
    else checked.push(result);
  }
  for (const task of new Set(checked.map((c) => c.entry.task))) {
    const defaults = checked.filter((c) => c.entry.task === task && c.entry.default);
    for (const extra of defaults.slice(1)) problems.push({ id: extra.entry.id, field: 'default', message: `'${defaults[0]?.entry.id}' is already the default ${task} model; one per task` });
  }
  if (problems.length > 0) return { ok: false, problems: problems.map(problemLine) };

  const catalogJson: CatalogJson = { labels: {}, models: [] };
  const staging = join(dest, `.staging-catalog-${process.pid}-${Date.now()}`);
  try {
    for (const c of checked) {
      const dir = join(staging, 'user', c.entry.id);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, c.fileName), c.bytes);
      const text = `${c.labels.join('\n')}\n`;
      await writeFile(join(dir, 'labels.txt'), text);
      catalogJson.labels[`user:${c.entry.id}`] = { file: `user/${c.entry.id}/labels.txt`, sha256: sha256(text), format: 'plain', count: c.labels.length };
      catalogJson.models.push(c.model);
    }
    await writeFile(join(staging, 'catalog.json'), `${JSON.stringify(catalogJson, null, 2)}\n`);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  const discard = () => rm(staging, { recursive: true, force: true });
  return {
    ok: true,
    catalog: catalogJson,
    discard,
    async commit() {
      // The previous user models step aside, the new ones move in, then the old ones go: each step is a rename.
      const old = join(dest, `.old-user-${process.pid}-${Date.now()}`);
      const hadUser = existsSync(join(dest, 'user'));
      if (hadUser) await rename(join(dest, 'user'), old);
      if (existsSync(join(staging, 'user'))) await rename(join(staging, 'user'), join(dest, 'user'));
      await rename(join(staging, 'catalog.json'), join(dest, 'catalog.json'));
      await rm(old, { recursive: true, force: true });
      await discard();
    },
  };
}
