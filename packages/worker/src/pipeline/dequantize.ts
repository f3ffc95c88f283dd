/** Quantised outputs to real values: a uint8 tensor with its (scale, zero point) becomes float32. */
import type { Quantization } from '../models/manifest';
import { type Tensor, type Tensors, tensor } from '../runtimes/types';

export function dequantize(t: Tensor, { scale, zero_point }: Quantization): Tensor {
  if (t.dtype !== 'uint8') return t;
  const out = new Float32Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = ((t.data[i] as number) - zero_point) * scale;
  return tensor('float32', out, t.dims);
}

/** Dequantises the named outputs; the rest pass through. */
export function dequantizeOutputs(outputs: Tensors, quantized: Readonly<Record<string, Quantization>>): Tensors {
  const out: Tensors = { ...outputs };
  for (const [name, q] of Object.entries(quantized)) {
    const t = outputs[name];
    if (t) out[name] = dequantize(t, q);
  }
  return out;
}
