/** Classification post-processing on plain arrays: softmax and top-k (placeholder classes skipped). */

/** Numerically stable softmax. */
export function softmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] as number);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp((logits[i] as number) - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}

/**
 * The indices of the k largest scores, largest first; ties keep the lower index first. Indices in `skip` are never
 * returned (a label list's placeholders, such as ImageNet's `background`, are not predictions).
 */
export function topK(scores: ArrayLike<number>, k: number, skip: ReadonlySet<number> = new Set()): number[] {
  const n = Math.min(k, scores.length - skip.size);
  const best: number[] = [];
  if (n <= 0) return best;
  for (let i = 0; i < scores.length; i++) {
    if (skip.has(i)) continue;
    const s = scores[i] as number;
    if (best.length === n && s <= (scores[best[n - 1] as number] as number)) continue;
    let j = best.length;
    while (j > 0 && (scores[best[j - 1] as number] as number) < s) j--;
    best.splice(j, 0, i);
    if (best.length > n) best.pop();
  }
  return best;
}
