/**
 * The CLI's image arguments to a list of images: a file, a folder (its images, recursively), a glob pattern, an
 * http(s) or data: URL (fetched by the API), or `-` for stdin.
 */
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { expandGlob, hasGlob } from './glob';

export type Input = { kind: 'file'; path: string } | { kind: 'url'; url: string } | { kind: 'stdin' };

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp'];

export interface ExpandedInputs {
  inputs: Input[];
  /** More than one image, or a folder or pattern: one result per image with its name, and a summary. */
  many: boolean;
}

/** How an input is named in output lines. */
export const inputName = (input: Input): string => (input.kind === 'file' ? input.path : input.kind === 'url' ? input.url : '-');

export class InputError extends Error {}

export async function expandInputs(args: string[], cwd: string = process.cwd()): Promise<ExpandedInputs> {
  const inputs: Input[] = [];
  let expanded = false;
  for (const arg of args) {
    if (arg === '-') {
      if (args.length > 1) throw new InputError('- (stdin) must be the only image.');
      inputs.push({ kind: 'stdin' });
    } else if (/^(https?:\/\/|data:)/i.test(arg)) {
      inputs.push({ kind: 'url', url: arg });
    } else {
      const info = await stat(arg).catch(() => undefined);
      if (info?.isDirectory()) {
        expanded = true;
        const folder = arg.replace(/\/+$/, '') || '/';
        const files = (await expandGlob(`${folder === '/' ? '' : folder}/**/*`, cwd)).filter((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase()));
        if (files.length === 0) throw new InputError(`No images (${IMAGE_EXTENSIONS.join(' ')}) in the folder ${arg}.`);
        inputs.push(...files.map((path) => ({ kind: 'file' as const, path })));
      } else if (!info && hasGlob(arg)) {
        expanded = true;
        const files = await expandGlob(arg, cwd);
        if (files.length === 0) throw new InputError(`No file matches ${arg}.`);
        inputs.push(...files.map((path) => ({ kind: 'file' as const, path })));
      } else {
        // A file, or a path that does not exist: reading it reports the error for this image.
        inputs.push({ kind: 'file', path: arg });
      }
    }
  }
  return { inputs, many: expanded || inputs.length > 1 };
}
