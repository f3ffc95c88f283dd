/**
 * One view of a user's model file, whatever its format: the runtime that runs it (from the file type: `.tflite` ->
 * LiteRT.js, `.onnx` -> onnxruntime-web), its input and output tensors, and the labels and hints it carries
 * (TFLite metadata's label file; an Ultralytics export's `names`, `imgsz` and `task`).
 */
import { type Dim, readOnnxInfo } from './onnx-info';
import { readTfliteInfo } from './tflite-info';

export interface FileTensor {
  name: string;
  dtype: string;
  dims: Dim[];
  quantization?: { scale: number; zero_point: number };
}

export interface ModelFileInfo {
  format: 'onnx' | 'tflite';
  runtime: 'ort-web' | 'litert';
  inputs: FileTensor[];
  outputs: FileTensor[];
  /** Class names the file carries, and where they were read from. */
  labels?: { names: string[]; from: string };
  /** An Ultralytics export (its metadata): the task it says and its export size [height, width]. */
  ultralytics?: { task?: string; imgsz?: [number, number] };
}

/** `.tflite` / `.onnx` by name, else by content (TFLite files say TFL3 at byte 4). */
export function formatOf(name: string, bytes: Uint8Array): 'onnx' | 'tflite' | undefined {
  const lower = name.toLowerCase().replace(/[?#].*$/, '');
  if (lower.endsWith('.tflite')) return 'tflite';
  if (lower.endsWith('.onnx')) return 'onnx';
  if (bytes.length > 8 && String.fromCharCode(...bytes.subarray(4, 8)) === 'TFL3') return 'tflite';
  return undefined;
}

/**
 * Ultralytics writes `names` as a Python dict literal, `{0: 'person', 1: "traffic light"}`; a JSON list is taken
 * too. Returns the names in index order, or undefined when the text is neither or the indices have gaps.
 */
export function parseNames(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const list: unknown = JSON.parse(trimmed);
      return Array.isArray(list) && list.every((n) => typeof n === 'string') ? list : undefined;
    } catch {
      return undefined;
    }
  }
  const names: string[] = [];
  const entry = /(\d+)\s*:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g;
  for (const m of trimmed.matchAll(entry)) names[Number(m[1])] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  if (names.length === 0) return undefined;
  // Array methods skip holes: check every index, so that a gap (a missing class) is refused.
  for (let i = 0; i < names.length; i++) if (typeof names[i] !== 'string') return undefined;
  return names;
}

function parseImgsz(text: string | undefined): [number, number] | undefined {
  const numbers = (text ?? '').match(/\d+/g)?.map(Number) ?? [];
  if (numbers.length === 1) return [numbers[0] as number, numbers[0] as number];
  if (numbers.length === 2) return [numbers[0] as number, numbers[1] as number];
  return undefined;
}

/** Reads the file's view; throws a one-line message when the bytes are not a model of the format. */
export function readModelFile(format: 'onnx' | 'tflite', bytes: Uint8Array): ModelFileInfo {
  if (format === 'tflite') {
    const t = readTfliteInfo(bytes);
    return {
      format,
      runtime: 'litert',
      inputs: t.inputs,
      outputs: t.outputs,
      ...(t.labels ? { labels: { names: t.labels, from: `the file's TFLite metadata (${t.labelFile})` } } : {}),
    };
  }
  const o = readOnnxInfo(bytes);
  const names = o.metadata.names === undefined ? undefined : parseNames(o.metadata.names);
  const isUltralytics = o.metadata.names !== undefined && (o.metadata.imgsz !== undefined || /ultralytics/i.test(o.metadata.author ?? ''));
  const imgsz = parseImgsz(o.metadata.imgsz);
  return {
    format,
    runtime: 'ort-web',
    inputs: o.inputs,
    outputs: o.outputs,
    ...(names ? { labels: { names, from: "the file's ONNX metadata (names)" } } : {}),
    ...(isUltralytics ? { ultralytics: { ...(o.metadata.task ? { task: o.metadata.task } : {}), ...(imgsz ? { imgsz } : {}) } } : {}),
  };
}
