import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect, it } from 'vitest';
import { modelDir } from '../../../test/support/fixtures';
import { appendArgmax } from './onnx-argmax';

it('an ArgMax appended to a logits model gives the argmax of its logits, pixel for pixel', async () => {
  const source = new Uint8Array(readFileSync(resolve(modelDir, 'deeplab_v3_1_default_1.onnx')));
  const edited = appendArgmax(source, { logits: 'ResizeBilinear_3', axis: 3, output: 'class_map', dims: [1, 257, 257] });
  const [raw, argmax] = await Promise.all([ort.InferenceSession.create(source), ort.InferenceSession.create(edited)]);
  expect(argmax.outputNames).toEqual(['class_map']);
  expect(argmax.outputMetadata).toEqual([{ name: 'class_map', isTensor: true, type: 'int64', shape: [1, 257, 257] }]);
  const input = new ort.Tensor('float32', Float32Array.from({ length: 257 * 257 * 3 }, (_, i) => Math.sin(i / 97)), [1, 257, 257, 3]);
  const logits = (await raw.run({ sub_7: input })).ResizeBilinear_3?.data as Float32Array;
  const map = (await argmax.run({ sub_7: input })).class_map?.data as BigInt64Array;
  let same = 0;
  for (let p = 0; p < 257 * 257; p++) {
    let best = 0;
    for (let c = 1; c < 21; c++) if ((logits[p * 21 + c] as number) > (logits[p * 21 + best] as number)) best = c;
    if (map[p] === BigInt(best)) same++;
  }
  expect(same).toBe(257 * 257);
  expect(() => appendArgmax(source, { logits: 'nope', axis: 3, output: 'x', dims: [1] })).toThrow(/no output 'nope'/);
  expect(() => appendArgmax(new Uint8Array([1, 2, 3]), { logits: 'a', axis: 0, output: 'x', dims: [1] })).toThrow();
});
