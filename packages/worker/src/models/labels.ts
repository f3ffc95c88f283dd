/**
 * Label lists: parsing a model's label file, and turning the `classes` option (label names) into class indices,
 * with one message for every task when a name is not a label. A label list's `display` map (manifest.json) renames
 * labels so that every task presents one spelling ("motorcycle", not VOC's "motorbike"); the file's spellings stay
 * accepted for `classes`. Data, not code.
 */
import { ApiError } from '../errors';
import { labelSpec, type LabelSpec, type ModelSpec } from './manifest';

export interface Labels {
  /** Display names, index for index with the model's outputs. */
  names: string[];
  /** The full label lines (synonyms included). */
  lines: string[];
}

export function parseLabels(text: string, spec: Pick<LabelSpec, 'format'> & Partial<Pick<LabelSpec, 'display'>>): Labels {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const names = spec.format === 'synset' ? lines.map((line) => (line.split(',')[0] ?? line).trim()) : lines.map((l) => l.trim());
  return { names: names.map((name) => spec.display?.[name] ?? name), lines };
}

/** Reads and checks a label list; a count that differs from the manifest's is a server fault. */
export async function loadLabels(spec: LabelSpec, readFile: (file: string) => Promise<Uint8Array>): Promise<Labels> {
  if (spec.names || spec.file === undefined) return { names: (spec.names ?? []).map((n) => spec.display[n] ?? n), lines: spec.names ?? [] };
  const parsed = parseLabels(new TextDecoder().decode(await readFile(spec.file)), spec);
  if (parsed.names.length !== spec.count) throw new Error(`${spec.file} has ${parsed.names.length} labels, the manifest says ${spec.count}`);
  return parsed;
}

/**
 * The class indices of the label names a caller asked for (case-insensitive, trimmed). A name that is not a label
 * is the caller's mistake: invalid_option (400) naming it and listing the model's labels.
 */
export function resolveClasses(wanted: readonly string[], labels: readonly string[], modelId: string): Set<number> {
  const byName = new Map(labels.map((label, i) => [label.toLowerCase(), i]));
  const unknown = wanted.filter((n) => !byName.has(n.trim().toLowerCase()));
  if (unknown.length > 0) {
    const message = `${unknown.map((n) => `'${n}'`).join(', ')} ${unknown.length > 1 ? 'are not labels' : 'is not a label'} of ${modelId}`;
    throw new ApiError('invalid_option', `Invalid options: classes: ${message}. Its labels are: ${labels.join(', ')}.`, [{ path: 'classes', message }]);
  }
  return new Set(wanted.map((n) => byName.get(n.trim().toLowerCase()) as number));
}

/** Accepted alternative spellings of the model's labels: alias -> the label as presented. */
export function labelAliases(model: ModelSpec): Record<string, string> {
  return { ...labelSpec(model).display };
}

/** `classes` as the caller wrote them, with aliases replaced by the presented labels (case-insensitively). */
export function canonicalClasses(model: ModelSpec, classes: string[] | undefined): string[] | undefined {
  if (!classes) return classes;
  const aliases = new Map(Object.entries(labelSpec(model).display).map(([alias, name]) => [alias.toLowerCase(), name]));
  return classes.map((c) => aliases.get(c.trim().toLowerCase()) ?? c);
}
