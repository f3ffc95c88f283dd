/**
 * examples/curl/cvkit.sh, run as written (bash + curl) against the real worker: every endpoint answers each image
 * form (raw body, JSON with an http URL served here, multipart) and the pictures it saves are images of the photo's
 * size. Until POST /v1/segment is deployed the segment sections fail, by design.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PhotonImage } from '@cf-wasm/photon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fixture, fixturesDir } from './support/fixtures';
import { serve } from './support/http';
import { repoRoot } from './support/worker-server';

const baseURL = inject('workerUrl');

let out: string;
let run: { code: number; stdout: string; stderr: string };
let sections: Map<string, string>;
let files: Awaited<ReturnType<typeof serve>>;
let fetched = 0;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'cvkit-curl-'));
  files = await serve((req, res) => {
    fetched++;
    if (req.url === '/pets.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(fixture('pets.jpg'));
    res.writeHead(404).end();
  });
  run = await new Promise((ok) => {
    execFile(
      'bash',
      ['examples/curl/cvkit.sh', resolve(fixturesDir, 'pets.jpg')],
      { cwd: repoRoot, env: { ...process.env, CVKIT_BASE_URL: baseURL, IMAGE_URL: `${files.url}/pets.jpg`, OUT_DIR: out }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => ok({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
  sections = new Map(run.stdout.split(/^== /m).filter(Boolean).map((s) => [s.slice(0, s.indexOf('\n')), s.slice(s.indexOf('\n') + 1)]));
}, 180_000);
afterAll(async () => {
  await files?.close();
  rmSync(out, { recursive: true, force: true });
});

/** The JSON body of a section, after checking it answered 200. */
function body(title: string): Record<string, unknown> {
  const text = sections.get(title);
  expect(text, `section "${title}" in:\n${run.stdout}`).toBeDefined();
  expect(text).toMatch(/\(HTTP 200\)\n$/);
  return JSON.parse((text as string).replace(/\n\(HTTP \d+\)\n$/, '')) as Record<string, unknown>;
}

function imageSize(path: string) {
  const image = PhotonImage.new_from_byteslice(new Uint8Array(readFileSync(path)));
  try {
    return { width: image.get_width(), height: image.get_height() };
  } finally {
    image.free();
  }
}

const predictions = (b: Record<string, unknown>) => b.predictions as Array<{ label: string }>;
const detections = (b: Record<string, unknown>) => b.detections as Array<{ label: string }>;
const segments = (b: Record<string, unknown>) => b.segments as Array<{ label: string }>;

describe('examples/curl/cvkit.sh', () => {
  it('health and models', () => {
    expect(body('health')).toMatchObject({ status: 'ok' });
    expect((body('models').models as unknown[]).length).toBeGreaterThan(0);
  });

  it('classify: raw body, JSON with a URL (fetched by the worker), multipart give the same answer', () => {
    const answers = ['classify: raw body, options in the query', 'classify: JSON with an image URL', 'classify: multipart'].map(body);
    for (const a of answers) expect(predictions(a)).toHaveLength(3);
    expect(new Set(answers.map((a) => predictions(a)[0]?.label)).size).toBe(1);
    expect(fetched).toBeGreaterThanOrEqual(1);
  });

  it('detect: two dogs in every form, and the annotated photo', () => {
    for (const title of ['detect: raw body', 'detect: JSON with an image URL', 'detect: multipart']) {
      expect(detections(body(title)).filter((d) => d.label === 'dog'), title).toHaveLength(2);
    }
    expect(imageSize(join(out, 'detect.png'))).toEqual({ width: 512, height: 430 });
  });

  it('segment: a dog in every form, and the overlay', () => {
    for (const title of ['segment: raw body', 'segment: JSON with an image URL', 'segment: multipart']) {
      expect(segments(body(title)).map((s) => s.label), title).toContain('dog');
    }
    expect(imageSize(join(out, 'segment.png'))).toEqual({ width: 512, height: 430 });
  });

  it('exits 0 with every call answered', () => {
    expect(run.stdout).toContain('== done: 0 failed');
    expect(run.code).toBe(0);
  });
});
