/** The shared fixture photos (../shared/fixtures/images) and the installed model folder, for tests. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from './worker-server';

export const fixturesDir = process.env.CVKIT_FIXTURES ?? resolve(repoRoot, '../shared/fixtures/images');
export const modelDir = resolve(repoRoot, 'models');

export const fixture = (name: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(resolve(fixturesDir, name)));
