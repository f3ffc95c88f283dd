/**
 * What a TFLite file says about itself, read from its flatbuffer (schema.fbs) without loading it: the main
 * subgraph's input and output tensors (name, type, shape, uint8/int8 quantisation), the names of its metadata
 * entries, and the label list a Model Maker export carries (TFLite metadata's associated files are a zip appended
 * to the flatbuffer; the label file is its `.txt` entry, the one named like `label*` when there are several).
 */
import { unzipSync } from 'fflate';

export interface TfliteTensor {
  name: string;
  /** float32, uint8, int8, int32, int64, ... as schema.fbs's TensorType. */
  dtype: string;
  dims: number[];
  /** Per-tensor affine quantisation (the first scale and zero point), when the tensor has one. */
  quantization?: { scale: number; zero_point: number };
}

export interface TfliteInfo {
  inputs: TfliteTensor[];
  outputs: TfliteTensor[];
  /** Names of the model's metadata entries (e.g. TFLITE_METADATA, min_runtime_version). */
  metadata: string[];
  /** The associated label file's lines, when the file carries one. */
  labels?: string[];
  /** Name of that label file inside the appended zip. */
  labelFile?: string;
}

const TENSOR_TYPES = ['float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8', 'float64'];

/** A minimal flatbuffer table reader: fields by index, offsets followed to tables, vectors and strings. */
class Table {
  constructor(
    private readonly view: DataView,
    readonly pos: number,
  ) {}

  private field(index: number): number | undefined {
    const vtable = this.pos - this.view.getInt32(this.pos, true);
    const size = this.view.getUint16(vtable, true);
    const at = 4 + 2 * index;
    if (at >= size) return undefined;
    const offset = this.view.getUint16(vtable + at, true);
    return offset === 0 ? undefined : this.pos + offset;
  }

  private target(index: number): number | undefined {
    const at = this.field(index);
    return at === undefined ? undefined : at + this.view.getUint32(at, true);
  }

  table(index: number): Table | undefined {
    const at = this.target(index);
    return at === undefined ? undefined : new Table(this.view, at);
  }

  uint(index: number, byteSize: 1 | 4, fallback = 0): number {
    const at = this.field(index);
    if (at === undefined) return fallback;
    return byteSize === 1 ? this.view.getInt8(at) : this.view.getUint32(at, true);
  }

  string(index: number): string | undefined {
    const at = this.target(index);
    if (at === undefined) return undefined;
    const length = this.view.getUint32(at, true);
    return new TextDecoder().decode(new Uint8Array(this.view.buffer, this.view.byteOffset + at + 4, length));
  }

  /** A vector's element positions (element size in bytes) and length. */
  private vector(index: number): { start: number; length: number } | undefined {
    const at = this.target(index);
    return at === undefined ? undefined : { start: at + 4, length: this.view.getUint32(at, true) };
  }

  tables(index: number): Table[] {
    const v = this.vector(index);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => {
      const at = v.start + 4 * i;
      return new Table(this.view, at + this.view.getUint32(at, true));
    });
  }

  ints(index: number): number[] {
    const v = this.vector(index);
    return v ? Array.from({ length: v.length }, (_, i) => this.view.getInt32(v.start + 4 * i, true)) : [];
  }

  floats(index: number): number[] {
    const v = this.vector(index);
    return v ? Array.from({ length: v.length }, (_, i) => this.view.getFloat32(v.start + 4 * i, true)) : [];
  }

  longs(index: number): number[] {
    const v = this.vector(index);
    return v ? Array.from({ length: v.length }, (_, i) => Number(this.view.getBigInt64(v.start + 8 * i, true))) : [];
  }
}

/** schema.fbs Tensor: shape 0, type 1, buffer 2, name 3, quantization 4 (QuantizationParameters: scale 2, zero_point 3). */
function tensorOf(t: Table): TfliteTensor {
  const q = t.table(4);
  const scale = q?.floats(2)[0];
  const zeroPoint = q?.longs(3)[0];
  const type = t.uint(1, 1);
  return {
    name: t.string(3) ?? '',
    dtype: TENSOR_TYPES[type] ?? `type ${type}`,
    dims: t.ints(0),
    ...(scale !== undefined && scale > 0 ? { quantization: { scale, zero_point: zeroPoint ?? 0 } } : {}),
  };
}

/** The zip appended after the flatbuffer, if any: its entries, whether its offsets count from the file or the zip. */
function appendedZip(bytes: Uint8Array): Record<string, Uint8Array> | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: signature PK\5\6, at most 64 KiB of comment after it.
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65_535); at--) {
    if (view.getUint32(at, true) !== 0x06054b50) continue;
    const directorySize = view.getUint32(at + 12, true);
    const directoryOffset = view.getUint32(at + 16, true);
    const zipStart = at - directorySize - directoryOffset;
    if (zipStart < 0) continue;
    try {
      return unzipSync(bytes.subarray(zipStart));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Throws (with a plain message) when the bytes are not a TFLite model. */
export function readTfliteInfo(bytes: Uint8Array): TfliteInfo {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(4, 8)) !== 'TFL3') throw new Error('not a TFLite model (no TFL3 identifier)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // schema.fbs Model: subgraphs 2, buffers 4, metadata 6 (Metadata: name 0, buffer 1).
  const model = new Table(view, view.getUint32(0, true));
  const graph = model.tables(2)[0];
  if (!graph) throw new Error('not a TFLite model (no subgraph)');
  const tensors = graph.tables(0);
  const pick = (indices: number[]) => indices.map((i) => tensorOf(tensors[i] as Table));
  const info: TfliteInfo = { inputs: pick(graph.ints(1)), outputs: pick(graph.ints(2)), metadata: model.tables(6).map((m) => m.string(0) ?? '') };
  const zip = appendedZip(bytes);
  if (zip) {
    const texts = Object.keys(zip).filter((name) => name.toLowerCase().endsWith('.txt'));
    const name = texts.length === 1 ? texts[0] : texts.find((n) => /label/i.test(n));
    if (name) {
      info.labelFile = name;
      info.labels = splitLabels(new TextDecoder().decode(zip[name]));
    }
  }
  return info;
}

/** A label file's labels: one per line, surrounding blanks trimmed, empty lines at the end dropped. */
export function splitLabels(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
