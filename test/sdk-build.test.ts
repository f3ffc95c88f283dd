/**
 * The built @cvkit/sdk (packages/sdk/dist, tsup): the browser/edge entry is one self-contained file with no zod, no
 * Node built-ins and no worker code, its types need neither zod nor Node, the exports map points at real files, and
 * the bundle runs unchanged inside workerd (Miniflare) against the real worker: the Workers claim, tested.
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Miniflare } from 'miniflare';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { fixture } from './support/fixtures';
import { distDir, ensureSdkBuilt, sdkDir } from './support/sdk';

const baseURL = inject('workerUrl');
const dist = (file: string) => readFileSync(resolve(distDir, file), 'utf8');

beforeAll(() => ensureSdkBuilt(), 120_000);

describe('the browser / edge entry', () => {
  it.each(['index.js', 'index.cjs'])('%s is self-contained: no imports or requires at all', (file) => {
    const code = dist(file);
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/\bimport\s*\(/);
    expect(code).not.toMatch(/\brequire\s*\(/);
  });

  it.each(['index.js', 'index.cjs'])('%s has no zod, no Node built-ins, no server code', (file) => {
    const code = dist(file);
    expect(code).not.toMatch(/zod|\bz\.(object|string|enum)\(/);
    expect(code).not.toMatch(/["']node:/);
    const builtins = builtinModules.filter((m) => !m.startsWith('_') && !m.includes('/'));
    for (const name of builtins) expect(code, name).not.toMatch(new RegExp(`from\\s*["']${name}["']|require\\(["']${name}["']\\)`));
    expect(code).not.toMatch(/\bBuffer\b|\bprocess\.env\b|__dirname/);
    for (const server of ['onnxruntime', 'photon', 'hono', 'InferenceSession', 'wrangler', 'ApiError(']) expect(code, server).not.toContain(server);
  });

  it.each(['index.d.ts', 'index.d.cts'])('%s needs neither zod nor Node types', (file) => {
    const types = dist(file);
    expect(types).not.toMatch(/from ["']zod["']|import\(["']zod["']\)|\bz\.(infer|input|Zod)|reference types="node"|NodeJS\.|\bBuffer\b|["']node:/);
    // plain Uint8Array in public signatures: Uint8Array<...> needs TypeScript 5.7+
    expect(types).not.toMatch(/Uint8Array</);
    expect(types).toMatch(/declare class CVKit/);
    expect(types).toMatch(/interface DetectResponse/);
  });

  it('the contract entry keeps zod external (an optional peer) instead of bundling it', () => {
    expect(dist('contract.js')).toMatch(/from ["']zod["']/);
    expect(dist('contract.cjs')).toMatch(/require\(["']zod["']\)/);
    // The contract itself is ~25 KB with five tasks; zod bundled in would add well over 100 KB.
    expect(dist('contract.js').length).toBeLessThan(60_000);
  });

  it('only the Node entry and the CLI touch Node built-ins', () => {
    expect(dist('node.js')).toMatch(/from ["']node:fs\/promises["']/);
    expect(dist('cli.js').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync(resolve(sdkDir, 'package.json'), 'utf8')) as {
    exports: Record<string, Record<string, Record<string, string>> | string>;
    bin: Record<string, string>;
    sideEffects: boolean;
    files: string[];
    peerDependenciesMeta: Record<string, { optional: boolean }>;
    dependencies?: Record<string, string>;
  };

  it('has an exports map for ".", "./node" and "./contract" whose every target exists', () => {
    expect(Object.keys(pkg.exports)).toEqual(['.', './node', './contract', './package.json']);
    for (const [entry, conditions] of Object.entries(pkg.exports)) {
      if (typeof conditions === 'string') continue;
      for (const condition of ['import', 'require']) {
        for (const target of Object.values(conditions[condition] ?? {})) expect(existsSync(resolve(sdkDir, target)), `${entry} ${target}`).toBe(true);
      }
    }
    expect(existsSync(resolve(sdkDir, pkg.bin.cvkit as string))).toBe(true);
  });

  it('is side-effect free, ships only dist, the bin, README and LICENSE, and has no runtime dependencies (zod is an optional peer)', () => {
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.files).toEqual(['dist', 'bin', 'README.md', 'LICENSE']);
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.peerDependenciesMeta.zod?.optional).toBe(true);
  });

  it('ESM import and CJS require both give the client and the same error classes', async () => {
    const esm = (await import(pathToFileURL(resolve(distDir, 'index.js')).href)) as typeof import('@cvkit/sdk');
    const cjs = createRequire(import.meta.url)(resolve(distDir, 'index.cjs')) as typeof import('@cvkit/sdk');
    for (const mod of [esm, cjs]) {
      const cv = new mod.CVKit({ baseURL });
      expect((await cv.classify(fixture('hot_dog.jpg'), { top_k: 1 })).predictions[0]?.label).toBe('hotdog');
      const err = await cv.classify(fixture('hot_dog.jpg'), { model: 'nope' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(mod.NotFoundError);
      expect(err).toBeInstanceOf(mod.APIError);
      expect(err).toBeInstanceOf(mod.CVKitError);
      // the bundler must not rename the classes (it made the base class `_CVKitError`)
      expect([new mod.CVKitError('x').constructor.name, (err as Error).constructor.name]).toEqual(['CVKitError', 'NotFoundError']);
    }
    const node = (await import(pathToFileURL(resolve(distDir, 'node.js')).href)) as typeof import('@cvkit/sdk/node');
    const file = await node.fromFile(resolve(distDir, '../package.json'), { type: 'application/json' });
    expect(file.type).toBe('application/json');
  });
});

describe('the bundle inside workerd (Miniflare), no polyfills', () => {
  it('classifies a ReadableStream and a Blob, maps errors to classes, decodes a PNG mask', async () => {
    const main = `
      import { CVKit, NotFoundError, decodePngMask } from './sdk.js';
      export default {
        async fetch(request, env) {
          const cv = new CVKit({ baseURL: env.BASE_URL });
          const bytes = new Uint8Array(await request.arrayBuffer());
          const fromStream = await cv.classify(new Blob([bytes]).stream(), { top_k: 1 });
          const fromBlob = await cv.classify(new Blob([bytes]), { top_k: 1 });
          const error = await cv.classify(bytes, { model: 'nope' }).catch((e) => e);
          const mask = await decodePngMask(new Uint8Array(env.MASK));
          const models = await cv.models();
          return Response.json({
            stream: fromStream.predictions[0].label,
            blob: fromBlob.predictions[0].label,
            error: { name: error.name, isNotFound: error instanceof NotFoundError, status: error.status, code: error.code, requestId: error.request_id },
            mask: { width: mask.width, height: mask.height, bird: mask.data.filter((v) => v === 3).length },
            models: models.models.length,
          });
        },
      };`;
    const mf = new Miniflare({
      modules: [
        { type: 'ESModule', path: 'main.js', contents: main },
        { type: 'ESModule', path: 'sdk.js', contents: dist('index.js') },
      ],
      compatibilityDate: '2026-04-20',
      bindings: { BASE_URL: baseURL },
      dataBlobBindings: { MASK: fixture('bird_segmentation_mask.png') },
    });
    try {
      const res = await mf.dispatchFetch('http://sdk.test/', { method: 'POST', body: fixture('parrot.jpg') });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const out = JSON.parse(text) as Record<string, unknown>;
      expect(out).toMatchObject({
        stream: 'macaw',
        blob: 'macaw',
        error: { name: 'NotFoundError', isNotFound: true, status: 404, code: 'model_not_found', requestId: expect.any(String) },
        mask: { width: 513, height: 513, bird: expect.any(Number) },
      });
      expect((out.mask as { bird: number }).bird).toBeGreaterThan(10_000);
      expect(out.models).toBeGreaterThan(0);
    } finally {
      await mf.dispose();
    }
  });
});
