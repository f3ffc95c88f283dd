/**
 * Triton model configuration (`config.pbtxt`, protobuf text format) for the subset cvkit generates and reads:
 * name, platform, max_batch_size, inputs and outputs (name, data_type, dims), instance_group. `formatConfig` writes
 * it, `parseConfig` reads it back through a small text-format parser, so the generated files are exercised.
 */

export type TritonDataType = 'TYPE_FP32' | 'TYPE_UINT8' | 'TYPE_INT32' | 'TYPE_INT64';

export interface TensorConfig {
  name: string;
  data_type: TritonDataType;
  /** -1: dynamic. With max_batch_size 0 the batch dimension is part of dims. */
  dims: number[];
}

export interface ModelConfig {
  name: string;
  platform: 'onnxruntime_onnx';
  max_batch_size: number;
  input: TensorConfig[];
  output: TensorConfig[];
  /** Triton's instance placement: KIND_GPU for the GPU tier, KIND_CPU otherwise. */
  instance_kind: 'KIND_GPU' | 'KIND_CPU';
}

const DATA_TYPES: readonly TritonDataType[] = ['TYPE_FP32', 'TYPE_UINT8', 'TYPE_INT32', 'TYPE_INT64'];

/** The protocol's datatype for a config's data_type (TYPE_FP32 -> FP32). */
export const protocolDatatype = (t: TritonDataType) => t.slice('TYPE_'.length) as 'FP32' | 'UINT8' | 'INT32' | 'INT64';

export function formatConfig(config: ModelConfig, comment?: string): string {
  const tensor = (t: TensorConfig) => `  {\n    name: "${t.name}"\n    data_type: ${t.data_type}\n    dims: [ ${t.dims.join(', ')} ]\n  }`;
  return [
    ...(comment ? comment.split('\n').map((line) => `# ${line}`) : []),
    `name: "${config.name}"`,
    `platform: "${config.platform}"`,
    `max_batch_size: ${config.max_batch_size}`,
    `input [\n${config.input.map(tensor).join(',\n')}\n]`,
    `output [\n${config.output.map(tensor).join(',\n')}\n]`,
    `instance_group [ { count: 1, kind: ${config.instance_kind} } ]`,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Protobuf text format, the part config.pbtxt files use

type Scalar = string | number | boolean;
export interface TextMessage {
  [field: string]: (Scalar | TextMessage)[];
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\s+|#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[{}[\]:,;<>]|[^\s{}[\]:,;<>"'#]+/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    m = re.exec(text);
    if (!m) throw new ConfigError(`cannot read config.pbtxt at offset ${at}`);
    at = re.lastIndex;
    const token = m[0];
    if (!/^\s/.test(token) && !token.startsWith('#')) tokens.push(token);
  }
  return tokens;
}

export function parseTextFormat(text: string): TextMessage {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => {
    const t = tokens[i++];
    if (t === undefined) throw new ConfigError('config.pbtxt ends too early');
    return t;
  };
  const scalar = (t: string): Scalar => {
    if (t.startsWith('"') || t.startsWith("'")) return t.slice(1, -1).replace(/\\(.)/g, '$1');
    if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    return t; // an enum value such as TYPE_FP32
  };
  const value = (): Scalar | TextMessage => {
    const t = next();
    if (t === '{' || t === '<') return message(t === '{' ? '}' : '>');
    return scalar(t);
  };
  const message = (end: string | undefined): TextMessage => {
    const out: TextMessage = {};
    for (;;) {
      const t = peek();
      if (t === undefined) {
        if (end) throw new ConfigError(`config.pbtxt: missing '${end}'`);
        return out;
      }
      if (t === end) {
        i++;
        return out;
      }
      if (t === ',' || t === ';') {
        i++;
        continue;
      }
      const field = next();
      if (!/^[A-Za-z_][\w]*$/.test(field)) throw new ConfigError(`config.pbtxt: expected a field name, got '${field.slice(0, 20)}'`);
      if (peek() === ':') i++;
      const list = (out[field] ??= []);
      if (peek() === '[') {
        i++;
        while (peek() !== ']') {
          if (peek() === ',') {
            i++;
            continue;
          }
          list.push(value());
        }
        i++;
      } else {
        list.push(value());
      }
    }
  };
  return message(undefined);
}

const one = (m: TextMessage, field: string): Scalar | TextMessage | undefined => m[field]?.[0];
const str = (m: TextMessage, field: string, where: string): string => {
  const v = one(m, field);
  if (typeof v !== 'string') throw new ConfigError(`${where}: '${field}' is missing or not a string`);
  return v;
};

function tensorConfig(m: Scalar | TextMessage, where: string): TensorConfig {
  if (typeof m !== 'object') throw new ConfigError(`${where}: expected a tensor block`);
  const name = str(m, 'name', where);
  const dataType = str(m, 'data_type', `${where} '${name}'`);
  if (!DATA_TYPES.includes(dataType as TritonDataType)) throw new ConfigError(`${where} '${name}': data_type ${dataType} is not one the reference server serves`);
  const dims = (m.dims ?? []).map((d) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < -1) throw new ConfigError(`${where} '${name}': dims must be integers >= -1`);
    return d;
  });
  return { name, data_type: dataType as TritonDataType, dims };
}

export function parseConfig(text: string): ModelConfig {
  const m = parseTextFormat(text);
  const name = str(m, 'name', 'config.pbtxt');
  const platform = str(m, 'platform', `config of '${name}'`);
  if (platform !== 'onnxruntime_onnx') throw new ConfigError(`config of '${name}': platform '${platform}' is not onnxruntime_onnx`);
  const batch = one(m, 'max_batch_size') ?? 0;
  if (typeof batch !== 'number') throw new ConfigError(`config of '${name}': max_batch_size is not a number`);
  const group = one(m, 'instance_group');
  const kind = typeof group === 'object' ? one(group, 'kind') : undefined;
  return {
    name,
    platform,
    max_batch_size: batch,
    input: (m.input ?? []).map((t) => tensorConfig(t, `config of '${name}': input`)),
    output: (m.output ?? []).map((t) => tensorConfig(t, `config of '${name}': output`)),
    instance_kind: kind === 'KIND_CPU' ? 'KIND_CPU' : 'KIND_GPU',
  };
}
