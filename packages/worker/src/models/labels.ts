/**
 * Label spellings: a label list's `display` map (manifest.json) renames labels so that every task presents one
 * spelling ("motorcycle", not VOC's "motorbike"); the file's spellings stay accepted for `classes`. Data, not code.
 */
import { labelSpec, type ModelSpec } from './manifest';

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
