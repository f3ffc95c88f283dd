/**
 * The OpenAPI 3.1 description of the API, generated from the zod contract (`@cvkit/sdk/contract`): every schema
 * here is `z.toJSONSchema` of a contract schema, so the document cannot drift from what the worker validates and
 * answers. What the contract does not hold (paths, which content types each endpoint takes, which errors it can
 * answer, examples) is the table below. Built once, lazily (not at start-up), and served at GET /openapi.json.
 */
import { z } from 'zod';
import {
  AnalyzeOptions,
  AnalyzeResponse,
  ErrorBody,
  type ErrorCode,
  ErrorStatus,
  Health,
  MAX_BATCH_IMAGES,
  ModelDetail,
  ModelList,
  ModelsQuery,
  SimilarityOptions,
  SimilarityResponse,
} from '@cvkit/sdk/contract';
import { similarity as similarityExample } from '../embed/openapi-examples';
import { tasks } from '../tasks';
import { examples, errorExample } from './openapi-examples';

type Json = Record<string, unknown>;

/** What the contract cannot say about an endpoint. */
interface Endpoint {
  method: 'get' | 'post';
  path: string;
  id: string;
  summary: string;
  description: string;
  tag: string;
  /** Options of a task endpoint: query parameters for raw bodies, fields of JSON and multipart bodies. */
  options?: z.ZodObject;
  /** Query parameters of a GET. */
  query?: z.ZodObject;
  pathParams?: Array<{ name: string; description: string; example: string }>;
  /** JSON success body; `batch`: also answers `{ results }` for several images. */
  /** `html`: a document (HTML, or this JSON document itself); `empty`: 204 No Content. */
  response: { schema: z.ZodType; name: string; example: unknown; batch?: { schema: z.ZodType; name: string; example: unknown } } | { html: true } | { empty: true };
  /** Picture answers (detect, segment). */
  pictures?: string[];
  /** Takes one image (raw, JSON, multipart), and batches when `batch`. */
  image?: { batch: boolean };
  errors: ErrorCode[];
  open?: boolean;
}

const IMAGE_ERRORS: ErrorCode[] = ['invalid_request', 'invalid_json', 'invalid_option', 'unauthorized', 'model_not_found', 'method_not_allowed', 'request_timeout', 'payload_too_large', 'unsupported_media_type', 'invalid_image', 'image_too_large', 'fetch_failed', 'rate_limited', 'internal_error', 'upstream_error', 'upstream_unavailable', 'overloaded', 'timeout'];

const TASK_NOTE = `One image as raw bytes (image/* or application/octet-stream, options in the query string), JSON \`{"image": ...}\` (an http(s) URL, a data: URL or base64) or multipart (an \`image\` file field). A batch of up to ${MAX_BATCH_IMAGES} images: JSON \`{"images": [...]}\` or multipart with several \`image\` (or \`images\`) fields; it answers \`{"results": [...]}\` in request order, each item the usual response or \`{"error": {...}}\` for that image alone (batches answer JSON only). Repeated options (\`?classes=cup&classes=spoon\`) are lists for list options and a 400 for the others.`;

const endpoints: Endpoint[] = [
  // One endpoint per task of the table (tasks.ts), described by its definition.
  ...Object.values(tasks).map(({ task, schema, doc }): Endpoint => ({
    method: 'post', path: `/v1/${task}`, id: task, tag: 'tasks', summary: doc.summary,
    description: doc.description ? `${TASK_NOTE} ${doc.description}` : TASK_NOTE,
    options: schema as unknown as z.ZodObject, image: { batch: true }, errors: IMAGE_ERRORS,
    ...(doc.pictures ? { pictures: doc.pictures } : {}),
    response: { ...doc.response, batch: doc.batch },
  })),
  {
    method: 'post', path: '/v1/analyze', id: 'analyze', tag: 'tasks', summary: 'One image, several tasks, decoded once.',
    description: 'The image in any of the three forms (one image). `tasks` names the tasks, each with its own options: `{"image": ..., "tasks": {"classify": {"top_k": 3}, "detect": {"threshold": 0.3}}}`, or a list (`["classify","detect"]`) for the defaults; in a query string or multipart form, `tasks=classify,detect` with `detect.threshold=0.3` (or `tasks` as a JSON string). The answer holds each task\'s usual response under `results.<task>`, or `{"error": {...}}` when that task failed (a bad option or model); problems with the image itself fail the request. JSON answers only.',
    options: AnalyzeOptions, image: { batch: false }, errors: IMAGE_ERRORS,
    response: { schema: AnalyzeResponse, name: 'AnalyzeResponse', example: examples.analyze },
  },
  {
    method: 'post', path: '/v1/similarity', id: 'similarity', tag: 'tasks', summary: 'How alike are these images? The cosine-similarity matrix of their embeddings.',
    description: `Two to ${MAX_BATCH_IMAGES} images in the batch forms (JSON \`{"images": [...]}\`, or several \`image\` fields in multipart), each embedded as POST /v1/embed does, with one model. The answer's \`matrix\` is N x N in request order: symmetric, 1 on the diagonal. Fewer than two images is a 400 naming \`images\`; an image that cannot be used fails the request, its message starting with \`images[i]:\`.`,
    options: SimilarityOptions, image: { batch: true }, errors: IMAGE_ERRORS,
    response: { schema: SimilarityResponse, name: 'SimilarityResponse', example: similarityExample },
  },
  {
    method: 'get', path: '/v1/models', id: 'listModels', tag: 'models', summary: 'Every served model, or those of one task.',
    description: 'id, task, tier, input size, label count, license, accuracy, size and default flag. `?task=detect` lists one task\'s models; an unknown task or filter is a 400.',
    query: ModelsQuery, errors: ['invalid_option', 'unauthorized', 'method_not_allowed', 'internal_error'],
    response: { schema: ModelList, name: 'ModelList', example: examples.models },
  },
  {
    method: 'get', path: '/v1/models/{id}', id: 'getModel', tag: 'models', summary: 'One model, with its label names.',
    description: '`label_names` is index for index with `index` in results; `label_aliases` lists other spellings `classes` accepts.',
    pathParams: [{ name: 'id', description: 'A model id from GET /v1/models.', example: 'deeplabv3_mnv2_dm05_pascal_quant' }],
    errors: ['model_not_found', 'unauthorized', 'method_not_allowed', 'internal_error'],
    response: { schema: ModelDetail, name: 'ModelDetail', example: examples.modelDetail },
  },
  {
    method: 'get', path: '/health', id: 'health', tag: 'service', summary: 'Liveness: `{"status": "ok"}`.', description: 'Open without an API key.',
    errors: ['method_not_allowed'], open: true, response: { schema: Health, name: 'Health', example: examples.health },
  },
  {
    method: 'get', path: '/', id: 'playground', tag: 'service', summary: 'The playground: try every task on a photo in the browser.', description: 'A self-contained HTML page (no external assets) that calls this API. Open without an API key; calls send the key typed into it.',
    errors: ['method_not_allowed'], open: true, response: { html: true },
  },
  {
    method: 'get', path: '/openapi.json', id: 'openapi', tag: 'service', summary: 'This document.', description: 'OpenAPI 3.1, generated from the zod contract. Open without an API key.',
    errors: ['method_not_allowed'], open: true, response: { html: true },
  },
  {
    method: 'get', path: '/docs', id: 'docs', tag: 'service', summary: 'The API reference page, rendered from this document.', description: 'A self-contained HTML page (no external assets). Open without an API key.',
    errors: ['method_not_allowed'], open: true, response: { html: true },
  },
  {
    method: 'get', path: '/favicon.ico', id: 'favicon', tag: 'service', summary: 'No icon: 204, cacheable, so that browsers stop asking.', description: 'Browsers ask for it beside every page.',
    errors: ['method_not_allowed'], open: true, response: { empty: true },
  },
];

/** Paths the document describes, as `METHOD /path/{param}`: the route test compares them with the app's routes. */
export const describedRoutes = () => endpoints.map((e) => `${e.method.toUpperCase()} ${e.path}`);

/** JSON Schema of `schema` (OpenAPI 3.1 uses draft 2020-12), with the contract's string-or-number options shown as what they mean. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override(ctx) {
      type Def = { type: string; out?: z.ZodType; innerType?: { _zod: { def: Def } }; defaultValue?: unknown };
      let def = (ctx.zodSchema as unknown as { _zod: { def: Def } })._zod.def;
      // Wrappers (default, optional) copy their inner schema's JSON: rewrite theirs too (and keep the default,
      // which zod leaves out of input schemas whose inner schema transforms).
      const fallback = def.type === 'default' ? def.defaultValue : undefined;
      while (def.innerType && ['default', 'optional', 'nullable', 'prefault', 'readonly'].includes(def.type)) def = def.innerType._zod.def;
      if (fallback !== undefined && io === 'input') (ctx.jsonSchema as Json).default = fallback;
      // Options that arrive as strings in query strings and forms are pipes (string|number -> number, string|list ->
      // list): describe them by what they become, and say that a string form is accepted.
      if (io !== 'input' || def.type !== 'pipe' || !def.out) return;
      const target = z.toJSONSchema(def.out, { io: 'output', target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
      if (target.type !== 'number' && target.type !== 'integer' && target.type !== 'array') return;
      const js = ctx.jsonSchema as Json;
      delete js.anyOf;
      delete target.$schema;
      Object.assign(js, target);
      if (target.type === 'array') {
        const { minItems, maxItems, items } = target;
        js.anyOf = [{ type: 'string', description: 'comma-separated' }, { type: 'array', items, minItems, maxItems }];
        for (const k of ['type', 'items', 'minItems', 'maxItems']) delete js[k];
      }
    },
  }) as Json;
  delete out.$schema;
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const binary = { type: 'string', format: 'binary' };

function errorResponses(codes: readonly ErrorCode[]): Json {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ErrorStatus[code], [...(byStatus.get(ErrorStatus[code]) ?? []), code]);
  const out: Json = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[String(status)] = {
      description: list.map((c) => `\`${c}\``).join(', '),
      headers: { 'x-request-id': { $ref: '#/components/headers/RequestId' } },
      content: { 'application/json': { schema: ref('ErrorBody'), examples: Object.fromEntries(list.map((c) => [c, { value: errorExample(c) }])) } },
    };
  }
  return out;
}

function parameters(e: Endpoint): Json[] {
  const params: Json[] = [];
  for (const p of e.pathParams ?? []) params.push({ name: p.name, in: 'path', required: true, description: p.description, schema: { type: 'string' }, example: p.example });
  const query = e.query ?? (e.options && e.image ? e.options : undefined);
  if (query) {
    const schema = jsonSchema(query, 'input');
    const props = (schema.properties ?? {}) as Record<string, Json>;
    for (const [name, s] of Object.entries(props)) {
      const { description, ...rest } = s;
      params.push({ name, in: 'query', required: false, ...(description ? { description } : {}), schema: rest, ...(Array.isArray(rest.anyOf) && rest.anyOf.some((x) => (x as Json).type === 'array') ? { style: 'form', explode: true } : {}) });
    }
    if (e.id === 'analyze') {
      for (const { task, schema: opts } of Object.values(tasks)) {
        const example = Object.keys((opts as unknown as z.ZodObject).shape)[2];
        params.push({ name: `${task}.*`, in: 'query', required: false, description: `${task}'s options (e.g. \`${task}.${example}\`), the same as POST /v1/${task}.`, schema: { type: 'string' } });
      }
    }
  }
  return params;
}

function requestBody(e: Endpoint): Json | undefined {
  if (!e.image || !e.options) return undefined;
  const imageString = z.string().min(1).meta({ description: 'An http(s) URL, a data: URL, or base64 of the image bytes.' });
  const images = z.array(z.string()).min(1).max(MAX_BATCH_IMAGES).meta({ description: `A batch: up to ${MAX_BATCH_IMAGES} image strings; answered as \`{"results": [...]}\` in the same order.` });
  const form = e.image.batch
    ? e.options.extend({ image: z.file().meta({ description: 'The image file; several `image` fields make a batch.' }).optional(), images: z.array(z.file()).max(MAX_BATCH_IMAGES).optional() })
    : e.options.extend({ image: z.file().meta({ description: 'The image file.' }) });
  // A batch endpoint's JSON body is one image or a list of them: two whole object schemas, so that generators
  // (openapi-typescript) give a union of two object types rather than `unknown`.
  const single = jsonSchema(e.options.extend({ image: imageString }), 'input');
  const jsonBody = e.image.batch ? { oneOf: [{ title: 'One image', ...single }, { title: 'A batch', ...jsonSchema(e.options.extend({ images }), 'input') }] } : single;
  const ex = examples.requests[e.id as keyof typeof examples.requests];
  return {
    required: true,
    description: 'The image: raw bytes, JSON or multipart. Options go in the query string (raw bytes) or beside the image (JSON, multipart).',
    content: {
      'application/json': { schema: jsonBody, ...(ex ? { examples: ex } : {}) },
      'multipart/form-data': { schema: jsonSchema(form, 'input') },
      'image/*': { schema: { ...binary, contentMediaType: 'image/*' } },
      'application/octet-stream': { schema: { ...binary, contentMediaType: 'application/octet-stream' } },
    },
  };
}

function operation(e: Endpoint): Json {
  const ok: Json = { description: 'OK', headers: { 'x-request-id': { $ref: '#/components/headers/RequestId' } } };
  if ('empty' in e.response) {
    ok.description = 'No Content';
  } else if ('html' in e.response) {
    // The pages (/, /docs) are HTML; /openapi.json is this JSON document.
    ok.content = e.id === 'openapi' ? { 'application/json': { schema: { type: 'object' } } } : { 'text/html': { schema: { type: 'string' } } };
  } else {
    const { name, example, batch } = e.response;
    const content: Json = {
      'application/json': batch
        ? { schema: { oneOf: [ref(name), ref(batch.name)] }, examples: { single: { value: example }, batch: { value: batch.example } } }
        : { schema: ref(name), example },
    };
    for (const type of e.pictures ?? []) content[type] = { schema: binary };
    ok.content = content;
    if (e.pictures) (ok.headers as Json)['server-timing'] = { description: 'Stage timings of picture answers.', schema: { type: 'string' } };
    if (e.id === 'detect') (ok.headers as Json)['x-detections'] = { description: 'How many detections a picture answer shows.', schema: { type: 'integer' } };
  }
  const body = requestBody(e);
  return {
    operationId: e.id,
    summary: e.summary,
    description: e.description,
    tags: [e.tag],
    ...(e.open ? { security: [] } : {}),
    parameters: parameters(e),
    ...(body ? { requestBody: body } : {}),
    responses: { ['empty' in e.response ? '204' : '200']: ok, ...errorResponses(e.errors) },
  };
}

function componentSchemas(): Json {
  const out: Json = { ErrorBody: jsonSchema(ErrorBody, 'output') };
  for (const e of endpoints) {
    if ('html' in e.response || 'empty' in e.response) continue;
    out[e.response.name] = jsonSchema(e.response.schema, 'output');
    if (e.response.batch) out[e.response.batch.name] = jsonSchema(e.response.batch.schema, 'output');
  }
  return out;
}

const ERROR_TABLE = (Object.entries(ErrorStatus) as Array<[ErrorCode, number]>).map(([code, status]) => `| \`${code}\` | ${status} |`).join('\n');

export function buildOpenApi(version: string): Json {
  const paths: Json = {};
  for (const e of endpoints) paths[e.path] = { ...(paths[e.path] as Json | undefined), [e.method]: operation(e) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'cvkit',
      version,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      description: `Computer vision at the edge: classify, detect and segment images in a Cloudflare Worker.\n\nEvery error has one shape, \`{"error": {"code", "message", "request_id", "retryable", "issues"?}}\`, and each code one status:\n\n| code | status |\n|---|---|\n${ERROR_TABLE}\n\n\`upstream_error\`, \`upstream_unavailable\` and \`timeout\` come from the remote GPU tier (\`tier=gpu\`, or \`auto\` without a fallback); \`overloaded\` and \`rate_limited\` carry \`Retry-After\`.`,
    },
    servers: [{ url: '/', description: 'This worker' }],
    tags: [
      { name: 'tasks', description: 'Vision tasks on one image or a batch.' },
      { name: 'models', description: 'What this worker serves.' },
      { name: 'service', description: 'Health and this description.' },
    ],
    security: [{}, { bearer: [] }, { apiKey: [] }],
    paths,
    components: {
      schemas: componentSchemas(),
      headers: { RequestId: { description: 'Your `x-request-id` if you sent a valid one, else a new id.', schema: { type: 'string' } } },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'When the worker has API_KEYS: `Authorization: Bearer <key>`.' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same key in `x-api-key`.' },
      },
    },
  };
}

let cached: { version: string; doc: Json } | undefined;

/** The document, built on first use. */
export function openApiDocument(version: string): Json {
  if (cached?.version !== version) cached = { version, doc: buildOpenApi(version) };
  return cached.doc;
}
