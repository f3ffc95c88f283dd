/** The fixed input every runtime gets in the inference benchmark: a deterministic pseudo-random image tensor. */
import type { InputSpec } from '../packages/worker/src/models/manifest';

export function benchTensor(spec: Pick<InputSpec, 'width' | 'height'>): Float32Array {
  const out = new Float32Array(spec.width * spec.height * 3);
  let seed = 12345;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] = (seed >>> 8) / 8388608 - 1; // in [-1, 1)
  }
  return out;
}
