/**
 * GET /openapi.json: a valid OpenAPI 3.1 document (checked by an OpenAPI schema validator, and every schema in it
 * compiled by a JSON Schema 2020-12 validator), generated from the contract, describing exactly the routes the app
 * serves, with examples that the contract's own schemas accept.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, inject, it } from 'vitest';
import * as contract from '@cvkit/sdk/contract';
import { buildOpenApi, describedRoutes } from '../packages/worker/src/http/openapi';
import { createNodeApp } from '../packages/worker/src/node';
import { modelDir } from './support/fixtures';

const base = inject('workerUrl');
type Json = Record<string, any>;

async function served(): Promise<Json> {
  const res = await fetch(`${base}/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return (await res.json()) as Json;
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = await served();
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // every $ref resolves
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('every schema in it is valid JSON Schema 2020-12, and its examples satisfy it', async () => {
    const doc = await served();
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    // Each component schema compiles on its own.
    for (const schema of Object.values(doc.components.schemas as Json)) ajv.compile(resolveLocal(schema, doc));
    let checked = 0;
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(item as Json)) {
        for (const [status, response] of Object.entries(op.responses as Json)) {
          const media = (response as Json).content?.['application/json'];
          if (!media?.schema || !(media.example || media.examples)) continue;
          const validate = ajv.compile(resolveLocal(media.schema, doc));
          const values = media.example ? [media.example] : Object.values(media.examples as Json).map((e) => (e as Json).value);
          for (const value of values) {
            expect(validate(value), `${method.toUpperCase()} ${path} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
            checked++;
          }
        }
        for (const [type, media] of Object.entries((op.requestBody?.content ?? {}) as Json)) {
          ajv.compile(resolveLocal((media as Json).schema, doc));
          for (const ex of Object.values(((media as Json).examples ?? {}) as Json)) {
            const validate = ajv.compile(resolveLocal((media as Json).schema, doc));
            expect(validate((ex as Json).value), `${path} ${type} example: ${ajv.errorsText(validate.errors)}`).toBe(true);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('is generated from the contract: the served document is the generator\'s, and its schemas are the contract\'s', async () => {
    const doc = await served();
    expect(doc).toEqual(buildOpenApi(doc.info.version));
    const s = doc.components.schemas as Json;
    expect(Object.keys(s.DetectResponse.properties)).toEqual(Object.keys(contract.DetectResponse.shape));
    const detect = doc.paths['/v1/detect'].post;
    const query = (detect.parameters as Json[]).map((p) => p.name);
    expect(query).toEqual(Object.keys(contract.DetectOptions.shape));
    const threshold = (detect.parameters as Json[]).find((p) => p.name === 'threshold') as Json;
    expect(threshold.schema).toMatchObject({ type: 'number', minimum: 0, maximum: 1, default: 0.5 });
    expect(threshold.description).toMatch(/at least/);
    // every error code, with its status, is listed on the task endpoints
    for (const [code, status] of Object.entries(contract.ErrorStatus)) {
      if (code === 'not_found') continue;
      expect(detect.responses[String(status)]?.content['application/json'].examples[code], code).toBeDefined();
    }
    for (const code of contract.ErrorCode.options) expect(doc.info.description).toContain(`\`${code}\``);
    expect(Object.keys(detect.responses['200'].content)).toEqual(['application/json', 'image/png', 'image/jpeg']);
    expect(Object.keys(detect.requestBody.content)).toEqual(['application/json', 'multipart/form-data', 'image/*', 'application/octet-stream']);
  });

  it('the answer examples parse with the contract\'s schemas', async () => {
    const doc = await served();
    const byName: Record<string, { parse(v: unknown): unknown }> = {
      ClassifyResponse: contract.ClassifyResponse, DetectResponse: contract.DetectResponse, SegmentResponse: contract.SegmentResponse,
      ClassifyBatchResponse: contract.ClassifyBatchResponse, DetectBatchResponse: contract.DetectBatchResponse, SegmentBatchResponse: contract.SegmentBatchResponse,
      EmbedResponse: contract.EmbedResponse, EmbedBatchResponse: contract.EmbedBatchResponse, SimilarityResponse: contract.SimilarityResponse,
      PoseResponse: contract.PoseResponse, PoseBatchResponse: contract.PoseBatchResponse,
      AnalyzeResponse: contract.AnalyzeResponse, ModelList: contract.ModelList, ModelDetail: contract.ModelDetail, Health: contract.Health, ErrorBody: contract.ErrorBody,
    };
    let parsed = 0;
    for (const item of Object.values(doc.paths as Json)) {
      for (const op of Object.values(item as Json)) {
        for (const response of Object.values(op.responses as Json)) {
          const media = (response as Json).content?.['application/json'];
          if (!media) continue;
          const refs: string[] = media.schema?.$ref ? [media.schema.$ref] : (media.schema?.oneOf ?? []).map((s: Json) => s.$ref);
          const schemas = refs.map((r) => byName[r.split('/').pop() as string]).filter(Boolean);
          const values = media.example ? [media.example] : Object.values((media.examples ?? {}) as Json).map((e) => (e as Json).value);
          for (const value of values) {
            expect(schemas.some((s) => { try { s!.parse(value); return true; } catch { return false; } }), JSON.stringify(value).slice(0, 200)).toBe(true);
            parsed++;
          }
        }
      }
    }
    expect(parsed).toBeGreaterThan(30);
  });
});

describe('what client generators read', () => {
  it('pages are text/html, raw image bodies binary, and the image-or-images JSON body a union of two object schemas', async () => {
    const doc = await served();
    for (const path of ['/', '/docs']) expect(Object.keys(doc.paths[path].get.responses['200'].content), path).toEqual(['text/html']);
    expect(Object.keys(doc.paths['/openapi.json'].get.responses['200'].content)).toEqual(['application/json']);
    expect(doc.paths['/favicon.ico'].get.responses['204']).toBeDefined();
    for (const task of ['classify', 'detect', 'segment']) {
      const content = doc.paths[`/v1/${task}`].post.requestBody.content;
      expect(content['image/*'].schema).toEqual({ type: 'string', format: 'binary', contentMediaType: 'image/*' });
      expect(content['application/octet-stream'].schema).toMatchObject({ type: 'string', format: 'binary' });
      const variants = content['application/json'].schema.oneOf as Json[];
      expect(variants.map((v) => [v.title, v.type, v.required])).toEqual([
        ['One image', 'object', ['image']],
        ['A batch', 'object', ['images']],
      ]);
      expect(variants[1]?.properties.images.type).toBe('array');
    }
  });
});

describe('the document and the app agree', () => {
  it('every route the app serves is in the document, and every documented route is served', () => {
    // Any provider will do: only the routing table is read.
    const app = createNodeApp({ modelDir });
    const served = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`));
    expect([...served].sort()).toEqual([...new Set(describedRoutes())].sort());
  });
});

/** Inlines `#/components/schemas/X` refs (recursively, once each) so a schema compiles on its own. */
function resolveLocal(schema: unknown, doc: Json, seen = new Set<string>()): any {
  if (Array.isArray(schema)) return schema.map((s) => resolveLocal(s, doc, seen));
  if (typeof schema !== 'object' || schema === null) return schema;
  const s = schema as Json;
  if (typeof s.$ref === 'string' && s.$ref.startsWith('#/components/schemas/')) {
    const name = s.$ref.split('/').pop() as string;
    if (seen.has(name)) return {};
    return resolveLocal(doc.components.schemas[name], doc, new Set([...seen, name]));
  }
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, resolveLocal(v, doc, seen)]));
}
