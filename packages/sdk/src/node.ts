/**
 * Node-only helpers for @cvkit/sdk (kept out of the main entry so browser and Workers builds have no Node
 * built-ins).
 *
 * @example
 * import { CVKit } from '@cvkit/sdk';
 * import { fromFile } from '@cvkit/sdk/node';
 * const cv = new CVKit();
 * const { detections } = await cv.detect(await fromFile('street.jpg'));
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { ImageFileError } from './errors';
import { sniffImageType } from './image-input';

export { ImageFileError };

const TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
};

/**
 * Reads an image file into a `File` (a Blob with a name and an image content type) for any client method.
 * A file that cannot be read rejects with `ImageFileError` (a `CVKitError`) naming the path and the reason.
 */
export async function fromFile(path: string, options: { type?: string } = {}): Promise<File> {
  const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new ImageFileError({ path, code: err.code, cause: err });
  });
  const type = options.type ?? sniffImageType(bytes.subarray(0, 16)) ?? TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  // File is global from Node 20; Node 18 has it in node:buffer.
  const FileClass: typeof File = globalThis.File ?? ((await import('node:buffer')).File as unknown as typeof File);
  return new FileClass([bytes], basename(path), { type });
}
