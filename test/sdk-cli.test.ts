/**
 * The `cvkit` CLI (packages/sdk/dist/cli.js, built here when stale) as a child process against the real worker:
 * tables, --json, options, every input form, and the exit codes and messages of failures.
 * Detect and segment commands: sdk-vision.test.ts.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ClassifyResponse, DetectResponse, ModelList } from '@cvkit/sdk';
import { fixture, fixturesDir } from './support/fixtures';
import { serve } from './support/http';
import { cliPath, ensureSdkBuilt, runCli, sdkDir } from './support/sdk';
import { repoRoot, startWorker } from './support/worker-server';

const baseURL = inject('workerUrl');
const photo = (name: string) => resolve(fixturesDir, name);

let files: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  ensureSdkBuilt();
  files = await serve((req, res) => {
    if (req.url === '/parrot.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(fixture('parrot.jpg'));
    res.writeHead(404).end();
  });
}, 120_000);
afterAll(() => files.close());

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'cvkit-cli-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The first bytes of a file: which format was written. */
const magic = (path: string) => {
  const bytes = readFileSync(path);
  return bytes[0] === 0xff && bytes[1] === 0xd8 ? 'jpeg' : bytes.subarray(1, 4).toString() === 'PNG' ? 'png' : 'other';
};

describe('cvkit classify', () => {
  it('prints a readable table', async () => {
    const { code, stdout, stderr } = await runCli(['classify', photo('hot_dog.jpg'), '--base-url', baseURL]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [head, columns, first, ...rest] = stdout.trimEnd().split('\n');
    expect(head).toMatch(/^mobilenet\S+ · edge · 512x384 · 5 predictions · \d+ ms$/);
    const one = await runCli(['classify', photo('hot_dog.jpg'), '--top-k', '1', '--base-url', baseURL]);
    expect(one.stdout).toMatch(/ · 1 prediction · /);
    expect(columns).toMatch(/#\s+label\s+score\s+synset/);
    expect(first).toMatch(/^\s+1\s+hotdog\s+\d+\.\d%\s+hotdog, hot dog, red hot$/);
    expect(rest).toHaveLength(4);
  });

  it('--json prints the API answer; --top-k and --model are passed on', async () => {
    const { code, stdout } = await runCli(['classify', photo('parrot.jpg'), '--json', '--top-k', '2', '--model', 'mobilenet_v1_0.75_192_quant', '--base-url', baseURL]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as ClassifyResponse;
    expect(result.model.id).toBe('mobilenet_v1_0.75_192_quant');
    expect(result.predictions.map((p) => p.label)).toHaveLength(2);
    expect(result.predictions[0]?.label).toBe('macaw');
  });

  it('an http URL (fetched by the worker), stdin, and the base URL from CVKIT_BASE_URL', async () => {
    const byUrl = await runCli(['classify', `${files.url}/parrot.jpg`, '--json', '--base-url', baseURL]);
    expect((JSON.parse(byUrl.stdout) as ClassifyResponse).predictions[0]?.label).toBe('macaw');
    const byStdin = await runCli(['classify', '-', '--json'], { input: fixture('bird.png'), env: { CVKIT_BASE_URL: baseURL } });
    expect(byStdin.code).toBe(0);
    expect((JSON.parse(byStdin.stdout) as ClassifyResponse).predictions[0]?.label).toBe('chickadee');
  });
});

describe('cvkit models, --help, --version', () => {
  it('models lists every served model', async () => {
    const table = await runCli(['models', '--base-url', baseURL]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^\s+classify\s+mobilenet\S+\s+yes\s+\d+x\d+\s+[\d.]+% ImageNet top-1\s+edge\s+(litert|ort-web)$/m);
    const json = await runCli(['models', '--json', '--base-url', baseURL]);
    expect((JSON.parse(json.stdout) as ModelList).models.some((m) => m.default && m.task === 'classify')).toBe(true);
  });

  it('--help and --version exit 0; no command prints the usage and exits 2', async () => {
    expect(await runCli(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: cvkit <command>') });
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    expect(await runCli([])).toMatchObject({ code: 2, stderr: expect.stringContaining('Usage: cvkit') });
  });
});

describe('failures: non-zero exit with the message', () => {
  it('an API error: exit 1, the message, status, code and request id on stderr', async () => {
    const { code, stdout, stderr } = await runCli(['classify', photo('hot_dog.jpg'), '--model', 'resnet9000', '--base-url', baseURL]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^cvkit: No classify model 'resnet9000'.*\(HTTP 404, model_not_found, request id [\w-]+\)\n$/);
  });

  it('a bad option value is the API\'s 400', async () => {
    const { code, stderr } = await runCli(['classify', photo('hot_dog.jpg'), '--top-k', '0', '--base-url', baseURL]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/top_k.*HTTP 400, invalid_option/);
  });

  it('a missing file, a file that is no image, an unreachable API', async () => {
    const missing = await runCli(['classify', photo('no-such.jpg'), '--base-url', baseURL]);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/Cannot read .*no-such\.jpg.*ENOENT/) });
    const notImage = await runCli(['classify', resolve(import.meta.dirname, 'sdk-cli.test.ts'), '--base-url', baseURL]);
    expect(notImage).toMatchObject({ code: 1, stderr: expect.stringMatching(/HTTP 415, unsupported_media_type/) });
    const down = await runCli(['classify', photo('bird.png'), '--base-url', 'http://127.0.0.1:9', '--timeout', '2000']);
    expect(down).toMatchObject({ code: 1, stderr: expect.stringMatching(/^cvkit: Connection error.*connection_error/) });
  });

  it('a typo in an option or a command: the closest one is suggested', async () => {
    expect(await runCli(['detect', 'x.jpg', '--treshold', '0.3'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--treshold'; did you mean --threshold?") });
    expect(await runCli(['classify', 'x.jpg', '--top_k=3'])).toMatchObject({ code: 2, stderr: expect.stringContaining('did you mean --top-k?') });
    expect(await runCli(['clasify', 'x.jpg'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown command 'clasify'; did you mean classify?") });
  });

  it('a 401 from a worker with API keys points to --api-key and CVKIT_API_KEY; the key then works', async () => {
    const locked = await startWorker({ vars: { API_KEYS: 'cli-key' } });
    try {
      const denied = await runCli(['classify', photo('bird.png'), '--base-url', locked.url]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/HTTP 401, unauthorized.*\) Pass the key with --api-key <key> or set CVKIT_API_KEY\.\n$/);
      const allowed = await runCli(['classify', photo('bird.png'), '--top-k', '1', '--base-url', locked.url], { env: { CVKIT_API_KEY: 'cli-key' } });
      expect(allowed).toMatchObject({ code: 0, stdout: expect.stringMatching(/chickadee/) });
    } finally {
      await locked.stop();
    }
  }, 120_000);

  it('--tier is passed on: edge answers from the edge; gpu without a GPU tier is the API\'s 503', async () => {
    const edge = await runCli(['classify', photo('hot_dog.jpg'), '--tier', 'edge', '--json', '--base-url', baseURL]);
    expect(edge.code).toBe(0);
    expect((JSON.parse(edge.stdout) as ClassifyResponse).model.tier).toBe('edge');
    const gpu = await runCli(['classify', photo('hot_dog.jpg'), '--tier', 'gpu', '--base-url', baseURL]);
    expect(gpu).toMatchObject({ code: 1, stderr: expect.stringMatching(/No GPU tier is configured.*HTTP 503, upstream_unavailable/) });
    expect(await runCli(['classify', 'x.jpg', '--tier', 'cloud'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--tier must be edge, gpu or auto') });
  });

  it('wrong usage exits 2 with a hint', async () => {
    expect(await runCli(['frobnicate', 'x.jpg'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown command 'frobnicate'") });
    expect(await runCli(['classify'])).toMatchObject({ code: 2, stderr: expect.stringContaining('needs an image') });
    expect(await runCli(['classify', 'x.jpg', '--out', 'a.png'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--out is for detect, segment and pose') });
    expect(await runCli(['detect', 'x.jpg', '--out', 'a.webp'])).toMatchObject({ code: 2, stderr: expect.stringContaining("--out must name a .png or .jpg file, not 'a.webp'") });
    expect(await runCli(['detect', photo('*.jpg'), '--out', 'a.png'])).toMatchObject({ code: 2, stderr: expect.stringContaining("--out needs {name} with several images") });
    expect(await runCli(['detect', photo('*.tiff')])).toMatchObject({ code: 2, stderr: expect.stringContaining('No file matches') });
    expect(await runCli(['detect', 'x.jpg', 'y.jpg', '--concurrency', '0'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--concurrency must be a whole number from 1 to 64') });
    expect(await runCli(['classify', 'x.jpg', '--top-k', 'ten'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--top-k must be a number') });
    expect(await runCli(['classify', 'x.jpg', '--frob'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--frob'") });
  });
});

describe('many images: files, folders and globs', () => {
  it('--json: JSON Lines in argument order, each with its file; a summary on stderr; no progress bar when piped', async () => {
    const { code, stdout, stderr } = await runCli(['classify', photo('hot_dog.jpg'), photo('p*.jpg'), photo('bird.png'), '--json', '--top-k', '1', '--concurrency', '2', '--base-url', baseURL]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as ClassifyResponse & { file: string });
    expect(lines.map((l) => [l.file, l.predictions[0]?.label])).toEqual([
      [photo('hot_dog.jpg'), 'hotdog'],
      [photo('parrot.jpg'), 'macaw'],
      [photo('pets.jpg'), expect.any(String)],
      [photo('bird.png'), 'chickadee'],
    ]);
    expect(Object.keys(lines[0] as object)[0]).toBe('file');
    expect(stderr).toMatch(/^4 images: 4 done, 0 failed in \d+\.\d s\n$/);
    expect(stderr).not.toContain('\r');
  });

  it('a folder gives its images; one that fails is reported, the others still run, and the exit is 1', async () => {
    const folder = join(tmp, 'folder');
    mkdirSync(join(folder, 'nested'), { recursive: true });
    copyFileSync(photo('hot_dog.jpg'), join(folder, 'hot_dog.jpg'));
    copyFileSync(photo('bird.png'), join(folder, 'nested', 'bird.png'));
    writeFileSync(join(folder, 'broken.png'), 'not a png at all');
    writeFileSync(join(folder, 'notes.txt'), 'not an image name: skipped');
    const table = await runCli(['classify', folder, '--top-k', '1', '--base-url', baseURL]);
    expect(table.code).toBe(1);
    expect(table.stdout).toContain(`${folder}/hot_dog.jpg: mobilenet`);
    expect(table.stdout).toMatch(/nested\/bird\.png: \S+ · \S+ · \d+x\d+ · 1 prediction · \d+ ms\n.*\n\s+1\s+chickadee/);
    expect(table.stderr).toMatch(new RegExp(`^${folder}/broken\\.png: .*\\(HTTP 415, unsupported_media_type, request id [\\w-]+\\)$`, 'm'));
    expect(table.stderr).toMatch(/^3 images: 2 done, 1 failed in \d+\.\d s$/m);
    const json = await runCli(['classify', folder, '--json', '--base-url', baseURL]);
    const broken = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { file: string; error?: { code: string; status: number } }).find((l) => l.error);
    expect(broken).toMatchObject({ file: `${folder}/broken.png`, error: { code: 'unsupported_media_type', status: 415 } });
  });

  it('--out with {name}: one picture per image, in the format its extension names', async () => {
    const { code, stdout } = await runCli(['detect', photo('pets.jpg'), photo('bird.png'), '--json', '--out', join(tmp, 'boxes', '{name}.jpg'), '--base-url', baseURL]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as DetectResponse & { out: string });
    expect(lines.map((l) => l.out)).toEqual([join(tmp, 'boxes', 'pets.jpg'), join(tmp, 'boxes', 'bird.jpg')]);
    expect(lines.every((l) => l.annotated_image === undefined)).toBe(true);
    expect(magic(join(tmp, 'boxes', 'pets.jpg'))).toBe('jpeg');
    expect(magic(join(tmp, 'boxes', 'bird.jpg'))).toBe('jpeg'); // a PNG photo, written as the JPEG asked for
  });

  it('on a terminal (a pseudo-TTY from script(1)) a progress bar is drawn on stderr; stdout stays clean', async () => {
    const jsonl = join(tmp, 'tty.jsonl');
    const command = `'${process.execPath}' '${cliPath}' classify '${fixturesDir}'/*.jpg --json --top-k 1 --base-url ${baseURL} > '${jsonl}'`;
    const terminal = await new Promise<string>((ok, fail) =>
      execFile('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, CVKIT_API_KEY: '' } }, (error, stdout) => (error ? fail(error) : ok(stdout))),
    );
    expect(terminal).toMatch(/\r\x1b\[2K\[#*-+\] 0\/4/);
    expect(terminal).toMatch(/\r\x1b\[2K\[#+-*\] 3\/4/);
    expect(terminal).toMatch(/4 images: 4 done, 0 failed/);
    const lines = readFileSync(jsonl, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.join('')).not.toMatch(/\x1b|\r/);
  });
});

describe('--out picks the format from the extension', () => {
  it('detect: a PNG photo to boxes.jpg is a JPEG, a JPEG photo to boxes.png is a PNG', async () => {
    const jpg = join(tmp, 'bird-boxes.jpg');
    expect(await runCli(['detect', photo('bird.png'), '--out', jpg, '--base-url', baseURL])).toMatchObject({ code: 0, stdout: expect.stringContaining(`annotated image written to ${jpg}`) });
    expect(magic(jpg)).toBe('jpeg');
    const png = join(tmp, 'pets-boxes.png');
    expect((await runCli(['detect', photo('pets.jpg'), '--out', png, '--base-url', baseURL])).code).toBe(0);
    expect(magic(png)).toBe('png');
  });

  it('--annotate writes {name}.annotated.png; --legend draws a legend on it (a different picture); --legend alone is a usage error', async () => {
    const dir = mkdtempSync(join(tmp, 'annotate-'));
    const plain = await runCli(['detect', photo('pets.jpg'), '--annotate', '--base-url', baseURL], { cwd: dir });
    expect(plain).toMatchObject({ code: 0, stdout: expect.stringContaining('annotated image written to pets.annotated.png') });
    const without = readFileSync(join(dir, 'pets.annotated.png'));
    expect(magic(join(dir, 'pets.annotated.png'))).toBe('png');
    expect((await runCli(['detect', photo('pets.jpg'), '--annotate', '--legend', '--base-url', baseURL], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, 'pets.annotated.png')).equals(without)).toBe(false);
    expect(await runCli(['detect', photo('pets.jpg'), '--legend', '--base-url', baseURL])).toMatchObject({ code: 2, stderr: expect.stringContaining('--legend draws on the picture') });
  });

  it('segment: the overlay as .png', async () => {
    const png = join(tmp, 'cat-overlay.png');
    const { code, stdout } = await runCli(['segment', photo('cat.png'), '--out', png, '--base-url', baseURL]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/ · \d+ class(es)? · /);
    expect(magic(png)).toBe('png');
  });

  it('pose: the skeletons as .jpg, one row per person', async () => {
    const jpg = join(tmp, 'skel.jpg');
    const { code, stdout } = await runCli(['pose', photo('two_people_snow.png'), '--out', jpg, '--max-people', '1', '--base-url', baseURL]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/movenet_single_pose_lightning · .*640x480 · 1 person · /);
    expect(stdout).toContain(`skeletons written to ${jpg}`);
    expect(magic(jpg)).toBe('jpeg');
  });
});

describe('cvkit analyze', () => {
  it('runs the chosen tasks in one request and prints each table, saying which tier ran', async () => {
    const { code, stdout, stderr } = await runCli(['analyze', photo('pets.jpg'), '--tasks', 'classify,detect', '--top-k', '2', '--threshold', '0.4', '--base-url', baseURL]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^analyze · 512x430 · 2 tasks · \d+ ms\n/);
    expect(stdout).toMatch(/^mobilenet\S+ · edge · 512x430 · 2 predictions · /m);
    expect(stdout).toMatch(/^\S+ · edge · 512x430 · 2 detections · /m);
    expect(stdout).toMatch(/^\s+dog\s+\d+\.\d%/m);
    const json = JSON.parse((await runCli(['analyze', photo('cat.png'), '--json', '--base-url', baseURL])).stdout) as { task: string; results: Record<string, unknown> };
    expect(json.task).toBe('analyze');
    expect(Object.keys(json.results)).toEqual(['classify', 'detect', 'segment']);
    expect(await runCli(['analyze', photo('cat.png'), '--tasks', 'classify,pose'])).toMatchObject({ code: 2, stderr: expect.stringContaining("not 'pose'") });
  });
});

describe('npx cvkit before the SDK is built', () => {
  it('the bin runs the TypeScript source through tsx when there is no dist/', async () => {
    // A copy of the package without dist/, inside the repo so that tsx resolves from node_modules as in a clone.
    const copy = resolve(repoRoot, 'node_modules/.cache/cvkit-bin-test');
    rmSync(copy, { recursive: true, force: true });
    cpSync(resolve(sdkDir, 'bin'), join(copy, 'bin'), { recursive: true });
    cpSync(resolve(sdkDir, 'src'), join(copy, 'src'), { recursive: true });
    copyFileSync(resolve(sdkDir, 'package.json'), join(copy, 'package.json'));
    expect(existsSync(join(copy, 'dist'))).toBe(false);
    try {
      const run = (args: string[]) =>
        new Promise<{ code: number; stdout: string }>((ok) =>
          execFile(process.execPath, [join(copy, 'bin/cvkit.mjs'), ...args], { encoding: 'utf8', env: { ...process.env, CVKIT_API_KEY: '' } }, (error, stdout) => ok({ code: error ? Number(error.code) : 0, stdout })),
        );
      expect(await run(['--version'])).toEqual({ code: 0, stdout: '0.1.0\n' });
      const result = await run(['classify', photo('parrot.jpg'), '--top-k', '1', '--base-url', baseURL]);
      expect(result.stdout).toMatch(/1\s+macaw/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
