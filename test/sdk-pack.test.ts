/**
 * @cvkit/sdk is publishable: `npm pack` (which builds through `prepack`) gives a tarball of dist only, that installs
 * offline into a fresh project; there it type-checks in strict TypeScript (ESM and CJS, nodenext resolution) without
 * zod, gives real types (not `any`), runs against the real worker from ESM and CJS, has a working `cvkit` bin, and
 * with zod packed from the repo's own install, `@cvkit/sdk/contract` type-checks too.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fixturesDir } from './support/fixtures';
import { sdkDir } from './support/sdk';
import { repoRoot } from './support/worker-server';

const baseURL = inject('workerUrl');
const tsc = resolve(repoRoot, 'node_modules/typescript/bin/tsc');
const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

let work: string;
let project: string;
let tarball: string;
let packed: { filename: string; files: Array<{ path: string }> };

const run = (cmd: string, args: string[], cwd = project) => execFileSync(cmd, args, { cwd, env: npmEnv, encoding: 'utf8', stdio: 'pipe' });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cvkit-sdk-pack-'));
  const out = run('npm', ['pack', '--json', '--pack-destination', work], sdkDir);
  packed = (JSON.parse(out.slice(out.indexOf('['))) as Array<typeof packed>)[0] as typeof packed;
  tarball = join(work, packed.filename);
  project = join(work, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm', ['install', '--offline', '--no-package-lock', tarball]);
}, 180_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const tsconfig = (include: string[]) =>
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2022', 'DOM', 'DOM.Iterable'],
      types: [],
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: false,
    },
    include,
  });

/** A consumer that uses the whole public surface with types; `@ts-expect-error` lines fail if anything is `any`. */
const consumerTs = `
import { CVKit, APIError, NotFoundError, decodeMask, annotatedImage, type ClassifyResponse, type DetectResponse, type SegmentResponse } from '@cvkit/sdk';
import { fromFile } from '@cvkit/sdk/node';

export async function use(baseURL: string, path: string): Promise<string> {
  const cv = new CVKit({ baseURL, maxRetries: 1, timeout: 30_000 });
  const result: ClassifyResponse = await cv.classify(await fromFile(path), { top_k: 2 });
  const label: string = result.predictions[0]?.label ?? '';
  // @ts-expect-error score is a number, so this would fail if the result were any
  const wrong: string = result.predictions[0]?.score;
  // @ts-expect-error unknown options are a type error
  await cv.classify(path, { topk: 3 }).catch(() => {});
  const detect = (): Promise<DetectResponse> => cv.detect('https://example.com/a.jpg', { threshold: 0.4, classes: ['dog'] });
  const picture = (): Promise<Blob> => cv.detect(new Uint8Array(), { format: 'image' });
  const segment = (): Promise<SegmentResponse> => cv.segment(new Blob(), { mask: 'rle' });
  const overlay = (): Promise<Blob> => cv.segment(new ArrayBuffer(0), { format: 'mask' });
  const classes = async (r: SegmentResponse) => (await decodeMask(r)).data.length;
  const boxes = (r: DetectResponse) => r.detections.map((d) => d.box_normalized.x2 - d.box.x1);
  const blob = (r: DetectResponse) => annotatedImage(r).size;
  try {
    await cv.classify(path, { model: 'nope' });
  } catch (err) {
    if (err instanceof NotFoundError) return \`\${label} \${err.status} \${err.code} \${typeof err.request_id}\`;
    if (err instanceof APIError) return 'other';
  }
  return [wrong, detect, picture, segment, overlay, classes, boxes, blob].length ? label : '';
}
`;

describe('npm pack', () => {
  it('packs dist, README and package.json only: no sources, tests or configs', () => {
    const paths = packed.files.map((f) => f.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/cli.js']));
    expect(paths.filter((p) => !p.startsWith('dist/') && p !== 'package.json' && p !== 'README.md')).toEqual([]);
    expect(paths.filter((p) => /\.test\.|\.map$/.test(p))).toEqual([]);
  });

  it('installs offline without zod (an optional peer) and type-checks a strict ESM consumer with real types', () => {
    expect(() => run('node', ['-e', "require.resolve('zod')"])).toThrow();
    writeFileSync(join(project, 'consumer.ts'), consumerTs);
    writeFileSync(join(project, 'tsconfig.json'), tsconfig(['consumer.ts']));
    expect(run('node', [tsc, '-p', '.'])).toBe('');
  });

  it('type-checks a CommonJS consumer (require condition, .d.cts)', () => {
    writeFileSync(
      join(project, 'consumer.cts'),
      `import sdk = require('@cvkit/sdk');\nconst cv: sdk.CVKit = new sdk.CVKit({ baseURL: 'http://127.0.0.1:1' });\nexport const ok: Promise<sdk.ModelList> = cv.models();\n`,
    );
    writeFileSync(join(project, 'tsconfig.json'), tsconfig(['consumer.cts']));
    expect(run('node', [tsc, '-p', '.'])).toBe('');
  });

  it('runs from ESM and CJS against the real worker', () => {
    const esm = `import { CVKit } from '@cvkit/sdk'; import { fromFile } from '@cvkit/sdk/node';
      const r = await new CVKit({ baseURL: process.argv[1] }).classify(await fromFile(process.argv[2]), { top_k: 1 });
      console.log(r.predictions[0].label);`;
    expect(run('node', ['--input-type=module', '-e', esm, baseURL, resolve(fixturesDir, 'hot_dog.jpg')]).trim()).toBe('hotdog');
    const cjs = `const { CVKit, NotFoundError } = require('@cvkit/sdk'); const { readFileSync } = require('node:fs');
      new CVKit({ baseURL: process.argv[1] }).classify(readFileSync(process.argv[2]), { model: 'nope' })
        .catch((e) => console.log(e instanceof NotFoundError, e.status, e.code));`;
    expect(run('node', ['-e', cjs, baseURL, resolve(fixturesDir, 'hot_dog.jpg')]).trim()).toBe('true 404 model_not_found');
  });

  it('installs the cvkit bin', () => {
    const bin = join(project, 'node_modules/.bin/cvkit');
    expect(run(bin, ['--version']).trim()).toBe(JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8')).version);
    expect(run(bin, ['classify', resolve(fixturesDir, 'parrot.jpg'), '--top-k', '1', '--base-url', baseURL])).toMatch(/1\s+macaw/);
  });

  it("with zod packed from the repo's install, @cvkit/sdk/contract type-checks and validates a real answer", async () => {
    // zod is packed from the repo's own install: `zod@<version>` would need the registry's metadata in the npm cache,
    // which a fresh machine's cache (filled by `npm ci` from tarball URLs) does not have.
    const out = run('npm', ['pack', '--json', '--pack-destination', work, resolve(repoRoot, 'node_modules/zod')], work);
    const zod = join(work, (JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string }>)[0]?.filename ?? '');
    run('npm', ['install', '--offline', '--no-package-lock', tarball, zod]);
    writeFileSync(
      join(project, 'contract.ts'),
      `import { ClassifyResponse, ErrorStatus } from '@cvkit/sdk/contract';\nimport type { ClassifyResponse as Plain } from '@cvkit/sdk';\n` +
        `export const check = (body: unknown): Plain => ClassifyResponse.parse(body);\nexport const status: number = ErrorStatus.model_not_found;\n`,
    );
    writeFileSync(join(project, 'tsconfig.json'), tsconfig(['contract.ts']));
    expect(run('node', [tsc, '-p', '.'])).toBe('');
    const validate = `import { ClassifyResponse } from '@cvkit/sdk/contract';
      const body = await (await fetch(process.argv[1] + '/v1/classify?top_k=1', { method: 'POST', headers: { 'content-type': 'image/png' }, body: (await import('node:fs')).readFileSync(process.argv[2]) })).json();
      console.log(ClassifyResponse.parse(body).predictions[0].label);`;
    expect(run('node', ['--input-type=module', '-e', validate, baseURL, resolve(fixturesDir, 'bird.png')]).trim()).toBe('chickadee');
  });
});
