import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandGlob, hasGlob, segmentRegExp } from './glob';

describe('segmentRegExp', () => {
  const matches = (pattern: string, name: string) => segmentRegExp(pattern).test(name);
  it('*, ?, classes and braces', () => {
    expect(matches('*.jpg', 'cat.jpg')).toBe(true);
    expect(matches('*.jpg', 'cat.jpeg')).toBe(false);
    expect(matches('?at.png', 'cat.png')).toBe(true);
    expect(matches('?at.png', 'coat.png')).toBe(false);
    expect(matches('[bc]at.png', 'bat.png')).toBe(true);
    expect(matches('[!bc]at.png', 'bat.png')).toBe(false);
    expect(matches('[!bc]at.png', 'rat.png')).toBe(true);
    expect(matches('*.{jpg,png}', 'a.png')).toBe(true);
    expect(matches('*.{jpg,png}', 'a.gif')).toBe(false);
  });
  it('takes regex characters literally and skips dot files unless the pattern starts with a dot', () => {
    expect(matches('a+b(1).jpg', 'a+b(1).jpg')).toBe(true);
    expect(matches('*.jpg', 'a.jpg.bak')).toBe(false);
    expect(matches('*.jpg', '.hidden.jpg')).toBe(false);
    expect(matches('.*.jpg', '.hidden.jpg')).toBe(true);
  });
  it('hasGlob', () => {
    expect(hasGlob('photos/*.jpg')).toBe(true);
    expect(hasGlob('photos/cat.jpg')).toBe(false);
  });
});

describe('expandGlob on a real folder tree', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cvkit-glob-'));
    for (const file of ['a.jpg', 'b.png', 'notes.txt', '.hidden.jpg', 'sub/c.jpg', 'sub/deep/d.JPG', 'sub/deep/e.jpg', '.git/f.jpg']) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), 'x');
    }
    symlinkSync(root, join(root, 'sub', 'loop')); // a cycle: never entered
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('matches in one folder, relative to cwd or absolute', async () => {
    expect(await expandGlob('*.jpg', root)).toEqual(['a.jpg']);
    expect(await expandGlob('*.{jpg,png}', root)).toEqual(['a.jpg', 'b.png']);
    expect(await expandGlob(`${root}/*.png`)).toEqual([`${root}/b.png`]);
    expect(await expandGlob('./sub/*.jpg', root)).toEqual(['./sub/c.jpg']); // as a shell writes it
  });

  it('** is any depth (zero included), never into dot folders or symlinked folders', async () => {
    expect(await expandGlob('**/*.jpg', root)).toEqual(['a.jpg', 'sub/c.jpg', 'sub/deep/e.jpg']);
    expect(await expandGlob('sub/**/*.[jJ][pP][gG]', root)).toEqual(['sub/c.jpg', 'sub/deep/d.JPG', 'sub/deep/e.jpg']);
    expect(await expandGlob('s*/d*/?.jpg', root)).toEqual(['sub/deep/e.jpg']);
  });

  it('nothing matched is an empty list', async () => {
    expect(await expandGlob('*.webp', root)).toEqual([]);
    expect(await expandGlob('missing/**/*.jpg', root)).toEqual([]);
  });
});
