import { describe, expect, it } from 'vitest';
import { CVKitError } from './errors';
import { toBatchBody, toRequestBody } from './image-input';

describe('empty images are refused before sending', () => {
  const empties = [
    ['an empty Blob', () => new Blob([])],
    ['an empty typed Blob', () => new Blob([], { type: 'image/jpeg' })],
    ['empty bytes', () => new Uint8Array(0)],
    ['an empty ArrayBuffer', () => new ArrayBuffer(0)],
    ['an empty stream', () => new ReadableStream<Uint8Array>({ start: (c) => c.close() })],
  ] as const;

  it.each(empties)('%s -> CVKitError saying the image is empty', async (_name, make) => {
    const single = await toRequestBody(make()).catch((e: unknown) => e);
    expect(single).toBeInstanceOf(CVKitError);
    expect((single as Error).message).toMatch(/^The image is empty \(0 bytes/);
    await expect(toBatchBody([new Uint8Array([0xff, 0xd8, 0xff]), make()])).rejects.toThrow(/The image is empty/);
  });

  it('one byte is sent (the API judges what it is)', async () => {
    expect((await toRequestBody(new Uint8Array([1]))).headers['content-type']).toBe('application/octet-stream');
  });
});
