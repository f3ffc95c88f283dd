/**
 * The `cvkit` CLI (packages/sdk/dist/cli.js, built here when stale) as a child process against the real worker:
 * tables, --json, options, every input form, and the exit codes and messages of failures.
 * Detect and segment commands: sdk-vision.test.ts.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ClassifyResponse, ModelList } from '@cvkit/sdk';
import { fixture, fixturesDir } from './support/fixtures';
import { serve } from './support/http';
import { ensureSdkBuilt, runCli } from './support/sdk';

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

describe('cvkit classify', () => {
  it('prints a readable table', async () => {
    const { code, stdout, stderr } = await runCli(['classify', photo('hot_dog.jpg'), '--base-url', baseURL]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [head, columns, first, ...rest] = stdout.trimEnd().split('\n');
    expect(head).toMatch(/^mobilenet\S+ · 512x384 · 5 predictions · \d+ ms$/);
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
    expect(table.stdout).toMatch(/^\s+classify\s+mobilenet\S+\s+yes\s+\d+x\d+\s+[\d.]+% ImageNet top-1\s+edge$/m);
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
    expect(await runCli(['classify', 'x.jpg', '--out', 'a.png'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--out is for detect and segment') });
    expect(await runCli(['classify', 'x.jpg', '--top-k', 'ten'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--top-k must be a number') });
    expect(await runCli(['classify', 'x.jpg', '--frob'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--frob'") });
  });
});
