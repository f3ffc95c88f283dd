/** examples/node/index.mjs, run as written (node, the built SDK through its package exports) against the real worker. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { fixturesDir } from './support/fixtures';
import { ensureSdkBuilt } from './support/sdk';
import { repoRoot } from './support/worker-server';

const baseURL = inject('workerUrl');

function runExample(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    execFile(process.execPath, ['examples/node/index.mjs', ...args], { cwd: repoRoot, env: { ...process.env, CVKIT_BASE_URL: baseURL } }, (error, stdout, stderr) =>
      ok({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(() => ensureSdkBuilt(), 120_000);

describe('examples/node', () => {
  it('classifies a file, detects on bytes, and catches a NotFoundError', async () => {
    const { code, stdout, stderr } = await runExample([resolve(fixturesDir, 'pets.jpg')]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^classify \(\S+, 512x430\):$/);
    expect(lines.slice(1, 4).every((l) => /^ {2}.+ \d+\.\d%$/.test(l))).toBe(true);
    expect(lines[4]).toMatch(/^detect \(\S+\): 2 objects$/);
    expect(lines.slice(5, 7)).toEqual([expect.stringMatching(/^ {2}dog \d+\.\d% at \(\d+, \d+\)-\(\d+, \d+\)$/), expect.stringMatching(/^ {2}dog /)]);
    expect(lines[7]).toBe('pose: 0 people');
    expect(lines[8]).toMatch(/^embed: 1024 dimensions, the same photo twice: 1\.000$/);
    expect(lines[9]).toMatch(/^error: 404 model_not_found \(request [\w-]+\)$/);
  });

  it('a hot dog is a hotdog', async () => {
    const { stdout } = await runExample([resolve(fixturesDir, 'hot_dog.jpg')]);
    expect(stdout.split('\n')[1]).toMatch(/^ {2}hotdog /);
  });

  it('without an image: the usage, exit 2', async () => {
    expect(await runExample([])).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: node examples/node/index.mjs <image>') });
  });
});
