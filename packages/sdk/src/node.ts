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
import { sniffImageType } from './image-input';

const TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
};

/** Reads an image file into a `File` (a Blob with a name and an image content type) for any client method. */
export async function fromFile(path: string, options: { type?: string } = {}): Promise<File> {
  const bytes = await readFile(path);
  const type = options.type ?? sniffImageType(bytes.subarray(0, 16)) ?? TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  // File is global from Node 20; Node 18 has it in node:buffer.
  const FileClass: typeof File = globalThis.File ?? ((await import('node:buffer')).File as unknown as typeof File);
  return new FileClass([bytes], basename(path), { type });
}
