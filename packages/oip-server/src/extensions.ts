/**
 * The Triton extensions the reference server advertises beside the core protocol, so that Triton's own clients and
 * tools (tritonclient, perf_analyzer, model analyzer) can point at it: model configuration (`GET
 * /v2/models/<m>/config`), statistics (`GET /v2/models[/<m>]/stats`), the model repository (`POST
 * /v2/repository/index`, `load`, `unload`) and classification (`parameters.classification` on a requested output).
 * Pure pieces here; server.ts routes to them.
 */
import type { WireTensor } from '../../worker/src/runtimes/oip-v2/codec';
import type { ModelConfig } from './model-config';

/** Extensions this server implements; binary_tensor_data is added when it speaks it. */
export const EXTENSIONS = ['classification', 'model_configuration', 'model_repository', 'statistics'] as const;

/**
 * The model configuration as Triton answers it: the protobuf JSON mapping of config.pbtxt, so 64-bit integers
 * (`dims`) are strings and 32-bit ones (`max_batch_size`) numbers.
 */
export function configJson(config: ModelConfig) {
  const tensor = (t: ModelConfig['input'][number]) => ({ name: t.name, data_type: t.data_type, dims: t.dims.map(String) });
  return {
    name: config.name,
    platform: config.platform,
    backend: 'onnxruntime',
    max_batch_size: config.max_batch_size,
    input: config.input.map(tensor),
    output: config.output.map(tensor),
    instance_group: [{ name: config.name, kind: config.instance_kind, count: 1 }],
  };
}

/**
 * Triton's classification extension: the top `k` of each batch row of a [batch, classes] (or [classes]) output as
 * BYTES strings "value:index", best first. Throws a message for an output it cannot classify.
 */
export function classifyTensor(tensor: WireTensor, k: number): WireTensor {
  if (tensor.dtype === 'bytes') throw new Error('classification needs a numeric output');
  const dims = tensor.dims;
  if (dims.length < 1 || dims.length > 2) throw new Error(`classification needs a [batch, classes] output, not [${dims.join(',')}]`);
  const classes = dims[dims.length - 1] as number;
  const rows = dims.length === 2 ? (dims[0] as number) : 1;
  const take = Math.min(k, classes);
  const encoder = new TextEncoder();
  const data: Uint8Array[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: classes }, (_, i) => Number(tensor.data[r * classes + i]));
    const order = row.map((_, i) => i).sort((a, b) => (row[b] as number) - (row[a] as number) || a - b);
    for (const i of order.slice(0, take)) data.push(encoder.encode(`${(row[i] as number).toFixed(6)}:${i}`));
  }
  return { dtype: 'bytes', dims: dims.length === 2 ? [rows, take] : [take], data };
}

interface Duration {
  count: number;
  ns: number;
}

/** Per-model inference statistics in Triton's shape (`model_stats`), counted by the server. */
export function createStats(models: ReadonlyMap<string, { version: string }>) {
  const zero = (): Duration => ({ count: 0, ns: 0 });
  const byModel = new Map<string, { last: number; success: Duration; fail: Duration; compute: Duration }>();
  for (const name of models.keys()) byModel.set(name, { last: 0, success: zero(), fail: zero(), compute: zero() });
  return {
    /** One inference request: its outcome, its whole duration and the model's run time, in nanoseconds. */
    record(name: string, ok: boolean, totalNs: number, computeNs: number) {
      const s = byModel.get(name);
      if (!s) return;
      s.last = Date.now();
      const d = ok ? s.success : s.fail;
      d.count++;
      d.ns += totalNs;
      if (ok) {
        s.compute.count++;
        s.compute.ns += computeNs;
      }
    },
    /** `GET /v2/models/stats` (every model) or `/v2/models/<m>/stats` (one). */
    json(only?: string) {
      const names = [...byModel.keys()].filter((n) => only === undefined || n === only);
      return {
        model_stats: names.map((name) => {
          const s = byModel.get(name) as NonNullable<ReturnType<typeof byModel.get>>;
          return {
            name,
            version: models.get(name)?.version ?? '',
            last_inference: s.last,
            inference_count: s.success.count,
            execution_count: s.success.count,
            inference_stats: { success: s.success, fail: s.fail, queue: zero(), compute_input: zero(), compute_infer: s.compute, compute_output: zero(), cache_hit: zero(), cache_miss: zero() },
            batch_stats: [],
          };
        }),
      };
    },
  };
}
