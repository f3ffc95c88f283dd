/**
 * The GPU tier as a runtime on the seam: every `run` is an Open Inference Protocol v2 call (Triton, KServe, the
 * reference server in packages/oip-server). Per runtime (one per isolate): the server's `extensions` decide once
 * between Triton's binary tensor extension and JSON tensors; each model's metadata is checked once against its
 * artifact. Failures become `UpstreamFailure`s (502/503/504); the caller's abort aborts the fetch.
 *
 * @example
 * const gpu = createOipRuntime({ baseUrl: 'http://127.0.0.1:8000', timeoutMs: 5000 });
 * const model = await gpu.load({ artifact });
 * const { output_0 } = await model.run({ input: tensor }, { signal });
 */
import type { LoadedModel, LoadRequest, Runtime, Tensor, Tensors } from '../types';
import { decodeInferResponse, encodeInferRequest, OipFormatError, type OipDatatype, datatypeOf } from './codec';
import { metadataDifferences, ModelMetadata, ServerMetadata, type OipTensorSpec, shapesCompatible } from './metadata';
import { abortError, parseRetryAfter, summariseErrorBody, UpstreamFailure } from './upstream-error';

export type { OipTensorSpec } from './metadata';

/**
 * How a remote model differs from its edge twin: `raw` returns the same outputs; `argmax-in-graph` returns the class
 * map instead of segmentation logits; `nms-in-graph` returns final boxes instead of a raw detection grid.
 */
export type OipForm = 'raw' | 'argmax-in-graph' | 'nms-in-graph';

/** One manifest model served by an OIP v2 server. */
export interface OipArtifact {
  runtime: 'oip-v2';
  /** The name the server knows the model by (Triton: its model repository folder). */
  remote_name: string;
  /** A model version; the server's default (latest) when absent. */
  version?: string;
  form: OipForm;
  /** The tensors cvkit sends; -1 in a shape: any size. */
  inputs: OipTensorSpec[];
  /** The tensors cvkit reads back. */
  outputs: OipTensorSpec[];
}

export type TransferMode = 'binary' | 'json';

export interface OipRuntimeOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8000 (paths /v2/... are added). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>` when set. */
  apiKey?: string;
  /** Whole-call limit for one request (connect, send, receive), ms. Default 10 000. */
  timeoutMs?: number;
  /** Largest response body accepted, bytes. Default 64 MiB. */
  maxResponseBytes?: number;
  /** `auto` (default): binary when the server lists `binary_tensor_data`, else JSON. */
  mode?: TransferMode | 'auto';
  fetch?: typeof fetch;
  /** Wall clock in ms (Retry-After dates, re-checking a mismatched model). */
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export interface OipRuntime extends Runtime<OipArtifact> {
  readonly name: 'oip-v2';
  readonly kind: 'remote';
  readonly baseUrl: string;
  /** `GET /v2/health/ready`: true on 200, read from the status code only. Never throws. */
  ready(signal?: AbortSignal): Promise<boolean>;
  /** The transfer mode negotiated from the server's extensions (asks the server the first time). */
  mode(signal?: AbortSignal): Promise<TransferMode>;
  /** Byte counts of the last infer call, for the benchmark. */
  lastTransfer(): { sent: number; received: number } | undefined;
}

/** How long a model whose metadata did not fit is refused before it is checked again. */
const MISMATCH_RECHECK_MS = 60_000;

export function createOipRuntime(options: OipRuntimeOptions): OipRuntime {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(baseUrl)) throw new Error(`GPU base URL '${options.baseUrl}' is not an http(s) URL`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxResponseBytes = options.maxResponseBytes ?? 64 * 2 ** 20;
  const fetcher = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const arm = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
  const disarm = options.clearTimeout ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));

  let negotiated: TransferMode | undefined;
  const checked = new Map<string, { ok: true } | { ok: false; error: UpstreamFailure; at: number }>();
  let transfer: { sent: number; received: number } | undefined;

  interface Exchange {
    status: number;
    headers: Headers;
    body: Uint8Array;
  }

  /** One HTTP exchange with the timeout and the caller's signal; the body is read under both. */
  async function exchange(path: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: Uint8Array }, signal?: AbortSignal): Promise<Exchange> {
    if (signal?.aborted) throw reasonOf(signal);
    const controller = new AbortController();
    let timedOut = false;
    const timer = arm(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const headers: Record<string, string> = { ...init.headers };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    try {
      const response = await fetcher.call(undefined, `${baseUrl}${path}`, { method: init.method, headers, body: init.body as BodyInit | undefined, signal: controller.signal });
      const body = await readCapped(response);
      return { status: response.status, headers: response.headers, body };
    } catch (error) {
      if (signal?.aborted) throw reasonOf(signal);
      if (timedOut) throw new UpstreamFailure('timeout', `The GPU tier did not answer ${init.method} ${path} within ${timeoutMs} ms.`);
      if (error instanceof UpstreamFailure) throw error;
      throw new UpstreamFailure('connection', `Could not reach the GPU tier at ${baseUrl}: ${describe(error)}.`, { retryAfter: 5 });
    } finally {
      disarm(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async function readCapped(response: Response): Promise<Uint8Array> {
    const declared = Number(response.headers.get('content-length') ?? 'NaN');
    if (declared > maxResponseBytes) {
      await response.body?.cancel();
      throw new UpstreamFailure('malformed', `The GPU tier's response (${declared} bytes) is larger than the ${maxResponseBytes}-byte limit.`);
    }
    if (!response.body) return new Uint8Array(0);
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxResponseBytes) {
        await reader.cancel();
        throw new UpstreamFailure('malformed', `The GPU tier's response is larger than the ${maxResponseBytes}-byte limit.`);
      }
      chunks.push(value);
    }
    if (chunks.length === 1) return chunks[0] as Uint8Array;
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /** Non-2xx answers: 503/429 unavailable (with Retry-After), 504 timeout, other 5xx errors, 4xx refusals. */
  function statusFailure(what: string, { status, headers, body }: Exchange): UpstreamFailure {
    const summary = summariseErrorBody(body);
    if (status === 503 || status === 429) {
      return new UpstreamFailure('server', `The GPU tier is unavailable (${status} on ${what}): ${summary}.`, {
        code: 'upstream_unavailable',
        retryAfter: parseRetryAfter(headers.get('retry-after'), now()) ?? 5,
      });
    }
    if (status === 504) return new UpstreamFailure('timeout', `The GPU tier timed out (504 on ${what}): ${summary}.`);
    if (status >= 500) return new UpstreamFailure('server', `The GPU tier failed (${status} on ${what}): ${summary}.`);
    return new UpstreamFailure('refused', `The GPU tier refused ${what} (${status}): ${summary}.`);
  }

  function json(what: string, body: Uint8Array): unknown {
    try {
      return JSON.parse(new TextDecoder().decode(body));
    } catch {
      throw new UpstreamFailure('malformed', `The GPU tier's answer to ${what} is not JSON.`);
    }
  }

  async function mode(signal?: AbortSignal): Promise<TransferMode> {
    if (options.mode && options.mode !== 'auto') return options.mode;
    // Only the answer is shared, never a pending call: in workerd a request must not wait on I/O that another
    // request started (it may be cancelled with it), so concurrent first requests each ask.
    if (negotiated) return negotiated;
    const res = await exchange('/v2', { method: 'GET' }, signal);
    if (res.status !== 200) throw statusFailure('server metadata', res);
    const parsed = ServerMetadata.safeParse(json('server metadata', res.body));
    if (!parsed.success) throw new UpstreamFailure('malformed', "The GPU tier's server metadata (GET /v2) does not follow the protocol.");
    negotiated = parsed.data.extensions.includes('binary_tensor_data') ? 'binary' : 'json';
    return negotiated;
  }

  const modelPath = (a: OipArtifact) => `/v2/models/${encodeURIComponent(a.remote_name)}${a.version ? `/versions/${encodeURIComponent(a.version)}` : ''}`;

  async function check(artifact: OipArtifact, signal?: AbortSignal): Promise<void> {
    const key = modelPath(artifact);
    const known = checked.get(key);
    if (known?.ok) return;
    if (known && now() - known.at < MISMATCH_RECHECK_MS) throw known.error;
    const res = await exchange(key, { method: 'GET' }, signal);
    if (res.status !== 200) throw statusFailure(`model metadata of '${artifact.remote_name}'`, res);
    const parsed = ModelMetadata.safeParse(json('model metadata', res.body));
    if (!parsed.success) throw new UpstreamFailure('malformed', `The GPU tier's metadata for '${artifact.remote_name}' does not follow the protocol.`);
    const differences = metadataDifferences(artifact, parsed.data);
    if (differences.length > 0) {
      const error = new UpstreamFailure('mismatch', `The GPU tier's model '${artifact.remote_name}' does not match cvkit's manifest: ${differences.join('; ')}.`);
      checked.set(key, { ok: false, error, at: now() });
      throw error;
    }
    checked.set(key, { ok: true });
  }

  async function infer(artifact: OipArtifact, inputs: Tensors, signal?: AbortSignal): Promise<Tensors> {
    for (const spec of artifact.inputs) {
      const t = inputs[spec.name];
      if (!t) throw new Error(`GPU input '${spec.name}' of ${artifact.remote_name} was not given`);
      if (datatypeOf(t.dtype) !== spec.datatype || !shapesCompatible(spec.shape, t.dims)) {
        throw new Error(`GPU input '${spec.name}' of ${artifact.remote_name} is ${datatypeOf(t.dtype)} [${t.dims}], the artifact says ${spec.datatype} [${spec.shape}]`);
      }
    }
    const [transferMode] = await Promise.all([mode(signal), check(artifact, signal)]);
    const sent: Tensors = {};
    for (const spec of artifact.inputs) sent[spec.name] = inputs[spec.name] as Tensor;
    const request = encodeInferRequest(sent, { binary: transferMode === 'binary', outputs: artifact.outputs.map((o) => o.name) });
    const res = await exchange(`${modelPath(artifact)}/infer`, { method: 'POST', headers: request.headers, body: request.body }, signal);
    transfer = { sent: request.body.length, received: res.body.length };
    if (res.status !== 200) throw statusFailure(`inference on '${artifact.remote_name}'`, res);
    let outputs;
    try {
      outputs = decodeInferResponse(res.body, res.headers.get('inference-header-content-length')).outputs;
    } catch (error) {
      if (error instanceof OipFormatError) throw new UpstreamFailure('malformed', `The GPU tier's inference response is malformed: ${error.message}.`);
      throw error;
    }
    const result: Tensors = {};
    for (const spec of artifact.outputs) {
      const t = outputs[spec.name];
      if (!t) throw new UpstreamFailure('malformed', `The GPU tier's response has no output '${spec.name}'.`);
      if (t.dtype === 'bytes' || datatypeOf(t.dtype) !== spec.datatype || !shapesCompatible(spec.shape, t.dims)) {
        throw new UpstreamFailure('malformed', `The GPU tier's output '${spec.name}' is ${datatypeOf(t.dtype)} [${t.dims}], expected ${spec.datatype} [${spec.shape}].`);
      }
      result[spec.name] = t;
    }
    return result;
  }

  return {
    name: 'oip-v2',
    kind: 'remote',
    baseUrl,
    async load({ artifact }: LoadRequest<OipArtifact>): Promise<LoadedModel> {
      if (artifact.runtime !== 'oip-v2') throw new Error(`artifact for runtime '${artifact.runtime}' given to oip-v2`);
      // Nothing to hold: the server is asked lazily on the first run, so a GPU tier that is down at load time
      // costs nothing until a request wants it.
      return { run: (inputs, { signal } = {}) => infer(artifact, inputs, signal), release() {} };
    },
    memoryBytes: () => 0,
    async ready(signal) {
      try {
        return (await exchange('/v2/health/ready', { method: 'GET' }, signal)).status === 200;
      } catch {
        return false;
      }
    },
    mode,
    lastTransfer: () => transfer,
  };
}

function reasonOf(signal: AbortSignal): unknown {
  // A deadline set by the router arrives as its own error; a plain abort is the caller going away.
  return signal.reason instanceof UpstreamFailure ? signal.reason : abortError();
}

function describe(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  // Without its final full stop: callers end their sentence themselves (workerd says "Network connection lost.").
  const message = (error instanceof Error ? error.message : String(error)).replace(/[.\s]+$/, '');
  return (code ? `${message} (${code})` : message).slice(0, 160);
}

export type { OipDatatype };
