/**
 * Label lists: parsing a model's label file, and turning the `classes` option (label names) into class indices,
 * with one message for every task when a name is not a label.
 */
import { ApiError } from '../errors';
import type { LabelSpec } from './manifest';

export interface Labels {
  /** Display names, index for index with the model's outputs. */
  names: string[];
  /** The full label lines (synonyms included). */
  lines: string[];
}

export function parseLabels(text: string, spec: Pick<LabelSpec, 'format'>): Labels {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const names = spec.format === 'synset' ? lines.map((line) => (line.split(',')[0] ?? line).trim()) : lines.map((l) => l.trim());
  return { names, lines };
}

/** Reads and checks a label list; a count that differs from the manifest's is a server fault. */
export async function loadLabels(spec: LabelSpec, readFile: (file: string) => Promise<Uint8Array>): Promise<Labels> {
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
