import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHeader } from './formats';

const asset = (p: string) => new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../../../', p)));
const shared = (name: string) => asset(`../shared/fixtures/images/${name}`);

describe('readHeader', () => {
  it.each([
    ['jpeg', shared('hot_dog.jpg'), 512, 384],
    ['png', shared('cat.png'), 512, 341],
    ['webp', asset('test/assets/cat.webp'), 256, 171],
    ['gif', asset('test/assets/cat.gif'), 256, 171],
    ['bmp', asset('test/assets/cat.bmp'), 160, 107],
  ])('reads %s dimensions from the header', (format, bytes, width, height) => {
    expect(readHeader(bytes)).toEqual({ format, width, height });
  });

  it('reports the stored (pre-EXIF) JPEG size', () => {
    expect(readHeader(asset('test/assets/cat_exif6.jpg'))).toEqual({ format: 'jpeg', width: 341, height: 512 });
  });

  it('rejects truncated files as corrupt', () => {
    const jpg = shared('hot_dog.jpg');
    expect(readHeader(jpg.subarray(0, jpg.length / 2))).toMatchObject({ error: 'corrupt', detail: expect.stringContaining('truncated') });
    const png = shared('cat.png');
    expect(readHeader(png.subarray(0, 5000))).toMatchObject({ error: 'corrupt' });
  });

  it('names formats it recognises but does not decode', () => {
    const avif = new Uint8Array([0, 0, 0, 0x1c, ...new TextEncoder().encode('ftypavif'), 0, 0, 0, 0]);
    expect(readHeader(avif)).toEqual({ error: 'unsupported', detail: 'AVIF images are not supported' });
    expect(readHeader(new TextEncoder().encode('hello world'))).toMatchObject({ error: 'unsupported' });
    expect(readHeader(new Uint8Array(0))).toMatchObject({ error: 'unsupported' });
  });

  it('rejects a header that claims zero size', () => {
    const png = shared('cat.png').slice();
    png.fill(0, 16, 24);
    expect(readHeader(png)).toMatchObject({ error: 'corrupt' });
  });
});
