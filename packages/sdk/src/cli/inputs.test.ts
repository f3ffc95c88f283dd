import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandInputs, InputError } from './inputs';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cvkit-inputs-'));
  for (const file of ['a.jpg', 'b.PNG', 'notes.txt', 'sub/c.webp', 'empty/readme.md']) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), 'x');
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('expandInputs', () => {
  it('one file or URL: a single image', async () => {
    expect(await expandInputs([join(root, 'a.jpg')])).toEqual({ inputs: [{ kind: 'file', path: join(root, 'a.jpg') }], many: false });
    expect(await expandInputs(['https://host/x.jpg'])).toEqual({ inputs: [{ kind: 'url', url: 'https://host/x.jpg' }], many: false });
    expect(await expandInputs(['-'])).toEqual({ inputs: [{ kind: 'stdin' }], many: false });
  });

  it('a path that does not exist stays, for its read error', async () => {
    expect((await expandInputs([join(root, 'no-such.jpg')])).inputs).toEqual([{ kind: 'file', path: join(root, 'no-such.jpg') }]);
  });

  it('a folder: its images at any depth, sorted; a glob: its matches; several arguments in order', async () => {
    expect(await expandInputs([root])).toEqual({
      inputs: ['a.jpg', 'b.PNG', 'sub/c.webp'].map((f) => ({ kind: 'file', path: `${root}/${f}` })),
      many: true,
    });
    expect((await expandInputs([`${root}/*.jpg`])).many).toBe(true);
    const mixed = await expandInputs([`${root}/sub/*.webp`, 'data:image/png;base64,AA==', `${root}/a.jpg`]);
    expect(mixed.inputs.map((i) => i.kind)).toEqual(['file', 'url', 'file']);
  });

  it('an empty folder, a pattern with no match, and - among others are errors', async () => {
    await expect(expandInputs([join(root, 'empty')])).rejects.toThrow(/No images .* in the folder/);
    await expect(expandInputs([`${root}/*.gif`])).rejects.toThrow(InputError);
    await expect(expandInputs(['-', `${root}/a.jpg`])).rejects.toThrow(/must be the only image/);
  });
});
