/**
 * A reference Open Inference Protocol v2 server over onnxruntime-node: the local stand-in for Triton in development
 * and tests, not a production server. It reads a Triton model repository (`<model>/config.pbtxt` +
 * `<model>/<version>/model.onnx`), answers the endpoints the worker uses with JSON or binary tensors, and fails the
 * way Triton does: `{"error": "..."}` with 400 for a bad request, 404 for an unknown model. It implements every
 * extension it advertises (extensions.ts): model configuration, statistics, the model repository (index; load and
 * unload answered as Triton does with model control off) and classification.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeInferRequest, encodeInferResponse, type InferRequest, OipFormatError, type WireTensor, type WireTensors } from '../../worker/src/runtimes/oip-v2/codec';
import { shapesCompatible } from '../../worker/src/runtimes/oip-v2/metadata';
import { classifyTensor, configJson, createStats, EXTENSIONS } from './extensions';
import { ConfigError, type ModelConfig, parseConfig, protocolDatatype } from './model-config';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface OipServerOptions {
  /** A Triton model repository (npm run gpu:repo writes one to gpu-repo/). */
  repository: string;
  /** `cuda` asks onnxruntime-node for its CUDA execution provider, and fails clearly when it cannot load. */
  executionProvider?: ExecutionProvider;
  /** Advertise and speak Triton's binary tensor extension (default); false behaves like a JSON-only server. */
  binary?: boolean;
  /** Intra-op threads per model (0: onnxruntime's default, all cores). Default 1. */
  threads?: number;
  /** Largest request body, bytes. Default 64 MiB. */
  maxBodyBytes?: number;
  host?: string;
  /** 0: a free port. */
  port?: number;
}

export interface OipServer {
  url: string;
  models: string[];
  close(): Promise<void>;
}

interface Served {
  config: ModelConfig;
  version: string;
  session: ort.InferenceSession;
}

export const SERVER_NAME = 'cvkit-oip-server';
export const SERVER_VERSION = '0.1.0';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Where onnxruntime-node keeps its native libraries; its CUDA provider ships separately (the install script fetches it). */
function ortBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
}

export function cudaProblem(): string | undefined {
  const dir = ortBinaryDir();
  const missing = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'].filter((f) => !existsSync(join(dir, f)));
  if (missing.length === 0) return undefined;
  return (
    `The CUDA execution provider is not available: onnxruntime-node's CUDA libraries (${missing.join(', ')}) are not installed in ${dir}. ` +
    'They come from its install script, which this repository skips so that `npm ci` stays offline. On a machine with an NVIDIA GPU, ' +
    'CUDA 12 and cuDNN 9, run `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node` (it downloads from outside the npm registry), ' +
    'or serve the model repository with Triton (see deploy/). Without --cuda the server runs on the CPU.'
  );
}

async function loadModel(repository: string, name: string, provider: ExecutionProvider, threads: number): Promise<Served | undefined> {
  const dir = join(repository, name);
  const configPath = join(dir, 'config.pbtxt');
  if (!existsSync(configPath)) return undefined;
  const config = parseConfig(await readFile(configPath, 'utf8'));
  if (config.name !== name) throw new ConfigError(`${configPath}: name '${config.name}' differs from its folder '${name}'`);
  const versions = (await readdir(dir)).filter((v) => /^\d+$/.test(v) && existsSync(join(dir, v, 'model.onnx'))).sort((a, b) => Number(b) - Number(a));
  const version = versions[0];
  if (!version) throw new ConfigError(`${dir}: no <version>/model.onnx`);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(join(dir, version, 'model.onnx'), {
      executionProviders: [provider],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (provider === 'cuda') throw new Error(`The CUDA execution provider failed to load for '${name}': ${message.split('\n')[0]?.slice(0, 300)}`);
    throw error;
  }
  // The config must describe the file: what Triton would refuse to load, this refuses too.
  const check = (side: 'input' | 'output', configured: ModelConfig['input'], actual: readonly { name: string; type?: string; shape?: (number | string)[] }[]) => {
    for (const t of configured) {
      const a = actual.find((x) => x.name === t.name);
      if (!a) throw new ConfigError(`${configPath}: ${side} '${t.name}' is not in model.onnx (it has ${actual.map((x) => x.name).join(', ')})`);
      const dims = (a.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
      const type = `TYPE_${{ float32: 'FP32', uint8: 'UINT8', int32: 'INT32', int64: 'INT64' }[a.type ?? ''] ?? a.type}`;
      if (type !== t.data_type) throw new ConfigError(`${configPath}: ${side} '${t.name}' is ${t.data_type} in the config, ${type} in model.onnx`);
      if (!shapesCompatible(t.dims, dims)) throw new ConfigError(`${configPath}: ${side} '${t.name}' dims [${t.dims}] do not fit model.onnx [${dims}]`);
    }
  };
  check('input', config.input, session.inputMetadata as never);
  check('output', config.output, session.outputMetadata as never);
  return { config, version, session };
}

function toOrt(t: WireTensor): ort.Tensor {
  if (t.dtype === 'bytes') throw new HttpError(400, 'BYTES inputs are not supported by this server');
  return new ort.Tensor(t.dtype, t.data as never, t.dims);
}

function fromOrt(name: string, t: ort.Tensor): WireTensor {
  const dims = [...t.dims];
  switch (t.type) {
    case 'float32':
      return { dtype: 'float32', dims, data: t.data as Float32Array };
    case 'uint8':
      return { dtype: 'uint8', dims, data: t.data as Uint8Array };
    case 'int32':
      return { dtype: 'int32', dims, data: t.data as Int32Array };
    case 'int64':
      return { dtype: 'int64', dims, data: t.data as BigInt64Array };
    default:
      throw new HttpError(500, `output '${name}' has type ${t.type}, which this server cannot send`);
  }
}

const shapeOf = (config: ModelConfig, dims: number[]) => (config.max_batch_size > 0 ? [-1, ...dims] : dims);

function modelMetadata({ config, version }: Served) {
  const tensor = (t: ModelConfig['input'][number]) => ({ name: t.name, datatype: protocolDatatype(t.data_type), shape: shapeOf(config, t.dims) });
  return { name: config.name, versions: [version], platform: config.platform, inputs: config.input.map(tensor), outputs: config.output.map(tensor) };
}

async function infer(
  served: Served,
  body: Uint8Array,
  headerLength: string | undefined,
  binary: boolean,
): Promise<{ body: Uint8Array; headers: Record<string, string>; computeNs: number }> {
  const { config, session } = served;
  const request = decodeInferRequest(body, headerLength ?? null);
  const given = Object.keys(request.inputs);
  if (given.length !== config.input.length) {
    throw new HttpError(400, `expected ${config.input.length} inputs but got ${given.length} inputs for model '${config.name}'`);
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of given) {
    const spec = config.input.find((t) => t.name === name);
    if (!spec) throw new HttpError(400, `unexpected inference input '${name}' for model '${config.name}'`);
    const t = request.inputs[name] as WireTensor;
    const datatype = { float32: 'FP32', uint8: 'UINT8', int32: 'INT32', int64: 'INT64', bytes: 'BYTES' }[t.dtype];
    if (datatype !== protocolDatatype(spec.data_type)) {
      throw new HttpError(400, `unexpected datatype ${datatype} for inference input '${name}', expecting ${protocolDatatype(spec.data_type)}`);
    }
    const expected = shapeOf(config, spec.dims);
    if (!shapesCompatible(expected, t.dims)) {
      throw new HttpError(400, `unexpected shape for input '${name}' for model '${config.name}'. Expected [${expected.join(',')}], got [${t.dims.join(',')}]`);
    }
    feeds[name] = toOrt(t);
  }
  const wanted: InferRequest['outputs'] = request.outputs.length > 0 ? request.outputs : config.output.map((o) => ({ name: o.name, binary: request.binaryOutput }));
  for (const o of wanted) {
    if (!config.output.some((t) => t.name === o.name)) throw new HttpError(400, `unexpected inference output '${o.name}' for model '${config.name}'`);
  }
  let results: ort.InferenceSession.ReturnType;
  const started = process.hrtime.bigint();
  try {
    results = await session.run(feeds, wanted.map((o) => o.name));
  } catch (error) {
    throw new HttpError(500, `onnxruntime failed on model '${config.name}': ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  }
  const computeNs = Number(process.hrtime.bigint() - started);
  const outputs: WireTensors = {};
  for (const o of wanted) {
    const tensor = fromOrt(o.name, results[o.name] as ort.Tensor);
    try {
      outputs[o.name] = o.classification ? classifyTensor(tensor, o.classification) : tensor;
    } catch (error) {
      throw new HttpError(400, `output '${o.name}' of model '${config.name}': ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // A server without the binary extension answers JSON whatever is asked.
  const answer = encodeInferResponse(outputs, {
    model_name: config.name,
    model_version: served.version,
    ...(request.id ? { id: request.id } : {}),
    binary: (name) => binary && (wanted.find((o) => o.name === name)?.binary ?? false),
  });
  return { ...answer, computeNs };
}

async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? 'NaN');
  if (declared > limit) throw new HttpError(413, `request body of ${declared} bytes exceeds the ${limit}-byte limit`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) throw new HttpError(413, `request body exceeds the ${limit}-byte limit`);
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function send(res: ServerResponse, status: number, body?: unknown) {
  if (body === undefined) return void res.writeHead(status, { 'content-length': '0' }).end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }).end(text);
}

export async function loadRepository(options: Pick<OipServerOptions, 'repository' | 'executionProvider' | 'threads'>): Promise<Map<string, Served>> {
  const provider = options.executionProvider ?? 'cpu';
  if (provider === 'cuda') {
    const problem = cudaProblem();
    if (problem) throw new Error(problem);
  }
  if (!(await stat(options.repository).catch(() => undefined))?.isDirectory()) {
    throw new Error(`model repository ${options.repository} does not exist: run \`npm run gpu:repo\` first`);
  }
  const models = new Map<string, Served>();
  for (const name of (await readdir(options.repository)).sort()) {
    const served = await loadModel(options.repository, name, provider, options.threads ?? 1);
    if (served) models.set(name, served);
  }
  if (models.size === 0) throw new Error(`model repository ${options.repository} holds no models`);
  return models;
}

export async function startOipServer(options: OipServerOptions): Promise<OipServer> {
  const models = await loadRepository(options);
  const binary = options.binary ?? true;
  const limit = options.maxBodyBytes ?? 64 * 2 ** 20;
  const stats = createStats(models);

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const method = req.method ?? 'GET';
      const expect = (m: string) => {
        if (method !== m) throw new HttpError(405, `${method} is not allowed on ${url.pathname}; use ${m}`);
      };
      if (parts[0] !== 'v2') throw new HttpError(404, 'Not Found');
      if (parts.length === 1) {
        expect('GET');
        return send(res, 200, { name: SERVER_NAME, version: SERVER_VERSION, extensions: binary ? ['binary_tensor_data', ...EXTENSIONS] : [...EXTENSIONS] });
      }
      if (parts[1] === 'models' && parts[2] === 'stats' && parts.length === 3) {
        expect('GET');
        return send(res, 200, stats.json());
      }
      if (parts[1] === 'repository') {
        // Every model is loaded at start and stays loaded (Triton's --model-control-mode=none): the index lists them
        // READY; loading a served model is a no-op, unloading (or loading anything else) is refused as Triton does.
        if (parts[2] === 'index' && parts.length === 3) {
          expect('POST');
          await readBody(req, limit);
          return send(res, 200, [...models].map(([name, m]) => ({ name, version: m.version, state: 'READY' })));
        }
        if (parts[2] === 'models' && parts[3] && (parts[4] === 'load' || parts[4] === 'unload') && parts.length === 5) {
          expect('POST');
          await readBody(req, limit);
          if (parts[4] === 'load' && models.has(parts[3])) return send(res, 200);
          throw new HttpError(400, `explicit model ${parts[4]} is not allowed: this server serves its repository as loaded at start (model control mode NONE)${parts[4] === 'load' ? `, and '${parts[3]}' is not in it` : ''}`);
        }
      }
      if (parts[1] === 'health' && (parts[2] === 'live' || parts[2] === 'ready') && parts.length === 3) {
        expect('GET');
        return send(res, 200);
      }
      if (parts[1] === 'models' && parts[2]) {
        const served = models.get(parts[2]);
        let rest = parts.slice(3);
        if (rest[0] === 'versions') {
          if (!served || rest[1] !== served.version) throw new HttpError(404, `Request for unknown model: '${parts[2]}' version ${rest[1] ?? ''} is not found`);
          rest = rest.slice(2);
        }
        if (!served) throw new HttpError(404, `Request for unknown model: '${parts[2]}' is not found`);
        if (rest.length === 0) {
          expect('GET');
          return send(res, 200, modelMetadata(served));
        }
        if (rest.length === 1 && rest[0] === 'config') {
          expect('GET');
          return send(res, 200, configJson(served.config));
        }
        if (rest.length === 1 && rest[0] === 'stats') {
          expect('GET');
          return send(res, 200, stats.json(served.config.name));
        }
        if (rest.length === 1 && rest[0] === 'ready') {
          expect('GET');
          return send(res, 200);
        }
        if (rest.length === 1 && rest[0] === 'infer') {
          expect('POST');
          const header = req.headers['inference-header-content-length'];
          const started = process.hrtime.bigint();
          let answer: Awaited<ReturnType<typeof infer>>;
          try {
            answer = await infer(served, await readBody(req, limit), Array.isArray(header) ? header[0] : header, binary);
          } catch (error) {
            stats.record(served.config.name, false, Number(process.hrtime.bigint() - started), 0);
            throw error;
          }
          stats.record(served.config.name, true, Number(process.hrtime.bigint() - started), answer.computeNs);
          res.writeHead(200, { ...answer.headers, 'content-length': String(answer.body.length) }).end(answer.body);
          return;
        }
      }
      throw new HttpError(404, 'Not Found');
    } catch (error) {
      const status = error instanceof HttpError ? error.status : error instanceof OipFormatError ? 400 : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (status === 500) console.error('[oip-server]', error);
      if (!res.headersSent) send(res, status, { error: message });
      else res.destroy();
    }
  });
  // Idle keep-alive connections stay open a minute: a client reusing one just as the server drops it sees a reset
  // (a 503 for the worker), so the server should not be the side that drops them early.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    models: [...models.keys()],
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      for (const m of models.values()) await m.session.release();
    },
  };
}
