/**
 * Runs a task over many items with at most `concurrency` running at once, and hands the results on in the items'
 * order as soon as each one and all before it are done (so output is deterministic while the work overlaps).
 */
export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  onResult: (result: R, index: number) => void,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const done: boolean[] = new Array(items.length).fill(false);
  let next = 0;
  let flushed = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
      done[index] = true;
      while (flushed < items.length && done[flushed]) {
        onResult(results[flushed] as R, flushed);
        flushed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
