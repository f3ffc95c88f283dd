/**
 * Glob patterns for the CLI's file arguments (Node 20 has no stable fs.glob): `*`, `?`, `[abc]` / `[!abc]`,
 * `{jpg,png}` and `**` for any depth of folders. As in shells, `*` and `?` do not match a leading dot, and
 * patterns use `/` as the separator. Only real folders are entered, never symlinked ones (no cycles).
 */
import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Whether a path has glob characters (and is therefore a pattern, when no such file exists). */
export const hasGlob = (path: string): boolean => /[*?[{]/.test(path);

/** One path segment's pattern as an anchored RegExp. */
export function segmentRegExp(segment: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let body = segment.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
        i = end;
      }
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+^$()|\\/]/g, '\\$&').replace(/[}\]]/g, '\\$&');
  }
  re += ')'.repeat(braces);
  // `*` and `?` never match a leading dot: `*.jpg` skips `.hidden.jpg`, as in shells.
  return new RegExp(`^${segment.startsWith('.') ? '' : '(?!\\.)'}${re}$`);
}

/** The files a pattern matches, sorted; relative patterns are taken from `cwd`. */
export async function expandGlob(pattern: string, cwd: string = process.cwd()): Promise<string[]> {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s, i) => s !== '' && !(s === '.' && i > 0));
  // The literal folders before the first pattern segment are where the walk starts.
  const first = segments.findIndex(hasGlob);
  const literal = first === -1 ? segments : segments.slice(0, first);
  const base = absolute ? `/${literal.join('/')}` : literal.join('/');
  const found = new Set<string>();
  await walk(base, first === -1 ? [] : segments.slice(first), found, cwd);
  return [...found].sort();
}

const isDir = async (path: string) => (await stat(path).catch(() => undefined))?.isDirectory() ?? false;

async function walk(dir: string, rest: string[], found: Set<string>, cwd: string): Promise<void> {
  const resolved = resolve(cwd, dir || '.');
  if (rest.length === 0) {
    const info = await stat(resolved).catch(() => undefined);
    if (info?.isFile()) found.add(dir);
    return;
  }
  const [segment, ...tail] = rest as [string, ...string[]];
  if (segment === '**') {
    await walk(dir, tail, found, cwd); // zero folders
    for (const entry of await list(resolved)) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) await walk(joinPath(dir, entry.name), rest, found, cwd);
    }
    return;
  }
  if (!hasGlob(segment)) return walk(joinPath(dir, segment), tail, found, cwd);
  const re = segmentRegExp(segment);
  for (const entry of await list(resolved)) {
    if (!re.test(entry.name)) continue;
    const path = joinPath(dir, entry.name);
    if (tail.length === 0) {
      if (entry.isFile() || (entry.isSymbolicLink() && !(await isDir(resolve(cwd, path))))) await walk(path, [], found, cwd);
    } else if (entry.isDirectory()) await walk(path, tail, found, cwd);
  }
}

const joinPath = (dir: string, name: string) => (dir === '' ? name : dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`);

async function list(dir: string) {
  return readdir(dir, { withFileTypes: true }).catch(() => []);
}
