/** `--out`: which picture type a file name asks for, and the file name for each image when there are several. */
import { basename, extname } from 'node:path';

const TYPES: Record<string, 'image/png' | 'image/jpeg'> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };

/** The picture type for an `--out` name by its extension, or undefined for one we cannot write. */
export const outType = (path: string): 'image/png' | 'image/jpeg' | undefined => TYPES[extname(path).toLowerCase()];

/** `{name}` in the `--out` pattern is the image's file name without its extension (`out/{name}.jpg`). */
export function outPath(pattern: string, input: string): string {
  const base = basename(input.split(/[?#]/)[0] ?? input) || 'image';
  const name = base.slice(0, base.length - extname(base).length) || base;
  return pattern.replaceAll('{name}', name);
}
