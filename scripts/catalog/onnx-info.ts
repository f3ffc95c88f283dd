/**
 * What an ONNX file says about itself, read from its protobuf without loading it: the graph's inputs (initializers
 * excluded) and outputs with element type and dims (a name where a dim is dynamic), and the model's metadata_props
 * (where Ultralytics exports put `names`, `imgsz`, `stride`, `task`). Field numbers are onnx.proto's.
 */
import { firstNumber, firstString, messages, protoFields } from './protobuf-message';

export type Dim = number | string;

export interface TensorInfo {
  name: string;
  /** float32, uint8, int8, int32, int64, float16, ... or `type <n>` for one cvkit does not name. */
  dtype: string;
  dims: Dim[];
}

export interface OnnxInfo {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  metadata: Record<string, string>;
}

const ELEM_TYPES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64' };

/** ValueInfoProto (name 1, type 2) -> TypeProto.tensor_type (1) -> elem_type (1), shape (2) -> dim (1): dim_value 1 | dim_param 2. */
function valueInfo(bytes: Uint8Array): TensorInfo {
  const fields = protoFields(bytes);
  const name = firstString(fields, 1) ?? '';
  const tensorType = messages(protoFields(messages(fields, 2)[0] ?? new Uint8Array()), 1)[0];
  const tensor = protoFields(tensorType ?? new Uint8Array());
  const elem = firstNumber(tensor, 1) ?? 0;
  const shape = messages(tensor, 2)[0];
  const dims = shape
    ? messages(protoFields(shape), 1).map((d, i): Dim => {
        const dim = protoFields(d);
        return firstNumber(dim, 1) ?? firstString(dim, 2) ?? `dim${i}`;
      })
    : [];
  return { name, dtype: ELEM_TYPES[elem] ?? `type ${elem}`, dims };
}

/** Throws (with a plain message) when the bytes are not an ONNX model. */
export function readOnnxInfo(bytes: Uint8Array): OnnxInfo {
  const model = protoFields(bytes);
  const graphBytes = messages(model, 7)[0];
  if (!graphBytes) throw new Error('not an ONNX model (no graph)');
  const graph = protoFields(graphBytes);
  // Older exports list initializers (TensorProto, name 8) among the inputs too: those are weights, not inputs.
  const weights = new Set(messages(graph, 5).map((t) => firstString(protoFields(t), 8)));
  const metadata: Record<string, string> = {};
  for (const entry of messages(model, 14)) {
    const kv = protoFields(entry);
    const key = firstString(kv, 1);
    if (key !== undefined) metadata[key] = firstString(kv, 2) ?? '';
  }
  return {
    inputs: messages(graph, 11).map(valueInfo).filter((t) => !weights.has(t.name)),
    outputs: messages(graph, 12).map(valueInfo),
    metadata,
  };
}
