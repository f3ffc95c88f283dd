/**
 * Renames tensors in an ONNX model file (graph inputs/outputs, node inputs/outputs, value infos), by rewriting the
 * protobuf in place. Transformers.js feeds `pixel_values` and reads `logits`; our MobileNet says `input` and
 * `output_0`. Only the fields on the path to tensor names are parsed: everything else is copied byte for byte.
 */

import { readVarint, writeVarint } from '../packages/oip-server/src/protobuf';

/** field number -> how to rewrite that length-delimited field (a nested message, or a name string). */
interface Schema {
  [field: number]: 'name' | Schema;
}

const valueInfo: Schema = { 1: 'name' };
const node: Schema = { 1: 'name', 2: 'name' };
const graph: Schema = { 1: node, 11: valueInfo, 12: valueInfo, 13: valueInfo };
const model: Schema = { 7: graph };

function rewrite(b: Uint8Array, schema: Schema, names: Record<string, string>): Uint8Array {
  const out: number[] = [];
  let at = 0;
  while (at < b.length) {
    const start = at;
    const [key, afterKey] = readVarint(b, at);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    at = afterKey;
    if (wire === 0) at = readVarint(b, at)[1];
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const [len, dataAt] = readVarint(b, at);
      const data = b.subarray(dataAt, dataAt + len);
      at = dataAt + len;
      const rule = schema[field];
      if (rule) {
        let replaced = data;
        if (rule === 'name') {
          const text = new TextDecoder().decode(data);
          if (text in names) replaced = new TextEncoder().encode(names[text]);
        } else {
          replaced = rewrite(data, rule, names);
        }
        out.push(...writeVarint(key), ...writeVarint(replaced.length));
        for (const x of replaced) out.push(x);
        continue;
      }
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    for (let i = start; i < at; i++) out.push(b[i] as number);
  }
  return Uint8Array.from(out);
}

export const renameOnnxTensors = (bytes: Uint8Array, names: Record<string, string>) => rewrite(bytes, model, names);
