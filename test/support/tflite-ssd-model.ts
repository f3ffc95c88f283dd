/**
 * A real TFLite file ending in the `TFLite_Detection_PostProcess` op, written from scratch (a flatbuffer per
 * schema.fbs, the op's options as a FlexBuffer map), for the catalog's `tflite-ssd` checks and decoder. Its "network"
 * is a RESHAPE: the float image [1, 4, 4, 3] becomes both the box encodings and the class predictions [1, 12, 4]
 * (background + 3 classes) against 12 fixed anchors, so its detections are a pure function of the pixels.
 */

/** A value to lay out: a table (fields by index), a vector, a string, or raw bytes. */
type Node =
  | { kind: 'table'; fields: (Field | undefined)[] }
  | { kind: 'tables'; items: Node[] }
  | { kind: 'ints'; values: number[] }
  | { kind: 'bytes'; values: Uint8Array }
  | { kind: 'string'; value: string };
type Field = { u8: number } | { i32: number } | { u32: number } | { ref: Node };

const table = (...fields: (Field | undefined)[]): Node => ({ kind: 'table', fields });
const tables = (...items: Node[]): Node => ({ kind: 'tables', items });
const ints = (...values: number[]): Node => ({ kind: 'ints', values });
const bytesOf = (values: Uint8Array): Node => ({ kind: 'bytes', values });
const string = (value: string): Node => ({ kind: 'string', value });

/**
 * Lays the tree out front to back: every offset points forward (flatbuffers' uoffsets are unsigned), each vtable
 * just before its table. Children are placed after their parent, breadth first, and the parent's slot patched.
 */
function flatbuffer(root: Node, identifier: string): Uint8Array {
  const out: number[] = [];
  const put32 = (at: number, v: number) => {
    out[at] = v & 0xff;
    out[at + 1] = (v >>> 8) & 0xff;
    out[at + 2] = (v >>> 16) & 0xff;
    out[at + 3] = (v >>> 24) & 0xff;
  };
  const align = (n: number) => {
    while (out.length % n) out.push(0);
  };
  const queue: { node: Node; patch: number }[] = [];
  out.push(0, 0, 0, 0, ...[...identifier].map((c) => c.charCodeAt(0)));
  queue.push({ node: root, patch: 0 });
  while (queue.length > 0) {
    const { node, patch } = queue.shift() as { node: Node; patch: number };
    let at: number;
    if (node.kind === 'table') {
      // vtable: size, table size, one uint16 per field; then the table: soffset to the vtable, 4-byte slots.
      align(2);
      const vt = out.length;
      const slots = node.fields.length;
      const vtSize = 4 + 2 * slots;
      out.push(...new Array(vtSize).fill(0));
      align(4);
      at = out.length;
      put32(at, at - vt);
      out.push(0, 0, 0, 0);
      node.fields.forEach((f, i) => {
        if (!f) return;
        const slot = out.length - at;
        out[vt + 4 + 2 * i] = slot & 0xff;
        out[vt + 5 + 2 * i] = slot >> 8;
        if ('u8' in f) out.push(f.u8, 0, 0, 0);
        else if ('i32' in f || 'u32' in f) {
          out.push(0, 0, 0, 0);
          put32(out.length - 4, 'i32' in f ? f.i32 : f.u32);
        } else {
          out.push(0, 0, 0, 0);
          queue.push({ node: f.ref, patch: out.length - 4 });
        }
      });
      const tableSize = out.length - at;
      out[vt] = vtSize & 0xff;
      out[vt + 1] = vtSize >> 8;
      out[vt + 2] = tableSize & 0xff;
      out[vt + 3] = tableSize >> 8;
    } else {
      // Weights are read in place: keep byte vectors 16-aligned, with their length just before.
      if (node.kind === 'bytes') while ((out.length + 4) % 16) out.push(0);
      else align(4);
      at = out.length;
      if (node.kind === 'tables') {
        out.push(0, 0, 0, 0);
        put32(at, node.items.length);
        for (const item of node.items) {
          out.push(0, 0, 0, 0);
          queue.push({ node: item, patch: out.length - 4 });
        }
      } else if (node.kind === 'ints') {
        out.push(0, 0, 0, 0);
        put32(at, node.values.length);
        for (const v of node.values) {
          out.push(0, 0, 0, 0);
          put32(out.length - 4, v);
        }
      } else {
        const data = node.kind === 'bytes' ? node.values : new TextEncoder().encode(`${node.value}\0`);
        out.push(0, 0, 0, 0);
        put32(at, node.kind === 'bytes' ? data.length : data.length - 1);
        out.push(...data);
      }
    }
    // The root's uoffset sits at 0, so the same rule holds for it: target = slot + value.
    put32(patch, at - patch);
  }
  align(4);
  return Uint8Array.from(out);
}

/** FlexBuffer map of numbers (every value 4 bytes wide), as TFLite custom ops read their options. */
function flexMap(entries: Record<string, { int: number } | { float: number } | { bool: boolean }>): Uint8Array {
  const keys = Object.keys(entries).sort();
  const out: number[] = [];
  const u32 = (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    out.push(...b);
  };
  const keyAt = keys.map((k) => {
    const at = out.length;
    out.push(...new TextEncoder().encode(k), 0);
    return at;
  });
  while (out.length % 4) out.push(0);
  u32(keys.length);
  const keysVector = out.length;
  keyAt.forEach((k) => u32(out.length - k));
  // Map prefix: offset back to the keys vector, its byte width, the length; then the values and their types.
  u32(out.length - keysVector);
  u32(4);
  u32(keys.length);
  const map = out.length;
  const types: number[] = [];
  for (const k of keys) {
    const v = entries[k] as { int: number } | { float: number } | { bool: boolean };
    const b = new Uint8Array(4);
    if ('float' in v) {
      new DataView(b.buffer).setFloat32(0, v.float, true);
      types.push((3 << 2) | 2);
    } else if ('int' in v) {
      new DataView(b.buffer).setInt32(0, v.int, true);
      types.push((1 << 2) | 2);
    } else {
      b[0] = v.bool ? 1 : 0;
      types.push((26 << 2) | 2);
    }
    out.push(...b);
  }
  out.push(...types);
  while (out.length % 4) out.push(0);
  const root = out.length;
  u32(root - map);
  out.push((9 << 2) | 2, 4);
  return Uint8Array.from(out);
}

export const SSD_ANCHORS = 12;
export const SSD_MAX_DETECTIONS = 5;

/** The file: input `image` float32 [1, 4, 4, 3]; outputs boxes, classes, scores, count as the op names them. */
export function tfliteSsdModel(): Uint8Array {
  const FLOAT32 = 0;
  const INT32 = 2;
  // 12 anchors (ycenter, xcenter, h, w), spread over the input; the op decodes y = ty / y_scale * ha + ya, etc.
  const anchors = new Float32Array(SSD_ANCHORS * 4);
  for (let i = 0; i < SSD_ANCHORS; i++) anchors.set([((i % 4) + 0.5) / 4, (Math.floor(i / 4) + 0.5) / 3, 0.25, 0.3], i * 4);
  const tensor = (name: string, shape: number[], type: number, buffer: number) => table({ ref: ints(...shape) }, { u8: type }, { u32: buffer }, { ref: string(name) });
  const tensors = tables(
    tensor('image', [1, 4, 4, 3], FLOAT32, 0),
    tensor('reshape_shape', [3], INT32, 1),
    tensor('encodings', [1, SSD_ANCHORS, 4], FLOAT32, 0),
    tensor('anchors', [SSD_ANCHORS, 4], FLOAT32, 2),
    tensor('TFLite_Detection_PostProcess', [1, SSD_MAX_DETECTIONS, 4], FLOAT32, 0),
    tensor('TFLite_Detection_PostProcess:1', [1, SSD_MAX_DETECTIONS], FLOAT32, 0),
    tensor('TFLite_Detection_PostProcess:2', [1, SSD_MAX_DETECTIONS], FLOAT32, 0),
    tensor('TFLite_Detection_PostProcess:3', [1], FLOAT32, 0),
  );
  const options = flexMap({
    max_detections: { int: SSD_MAX_DETECTIONS },
    max_classes_per_detection: { int: 1 },
    num_classes: { int: 3 },
    nms_score_threshold: { float: 0.0 },
    nms_iou_threshold: { float: 0.5 },
    y_scale: { float: 10 },
    x_scale: { float: 10 },
    h_scale: { float: 5 },
    w_scale: { float: 5 },
    use_regular_nms: { bool: false },
  });
  const reshape = table({ u32: 0 }, { ref: ints(0, 1) }, { ref: ints(2) });
  const postprocess = table({ u32: 1 }, { ref: ints(2, 2, 3) }, { ref: ints(4, 5, 6, 7) }, undefined, undefined, { ref: bytesOf(options) }, { u8: 0 });
  const RESHAPE = 22;
  const CUSTOM = 32;
  const model = table(
    { u32: 3 },
    { ref: tables(table({ u8: RESHAPE }, undefined, { i32: 1 }, { i32: RESHAPE }), table({ u8: CUSTOM }, { ref: string('TFLite_Detection_PostProcess') }, { i32: 1 }, { i32: CUSTOM })) },
    { ref: tables(table({ ref: tensors }, { ref: ints(0) }, { ref: ints(4, 5, 6, 7) }, { ref: tables(reshape, postprocess) }, { ref: string('main') })) },
    { ref: string('cvkit test: TFLite_Detection_PostProcess over a reshaped image') },
    { ref: tables(table(), table({ ref: bytesOf(new Uint8Array(Int32Array.from([1, SSD_ANCHORS, 4]).buffer)) }), table({ ref: bytesOf(new Uint8Array(anchors.buffer)) })) },
  );
  return flatbuffer(model, 'TFL3');
}
