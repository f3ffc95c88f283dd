/** Per-stage timing of a request, reported in every response's `timings`. */
import type { Timings } from '@cvkit/sdk/contract';

export type Stage = 'decode' | 'preprocess' | 'inference' | 'postprocess' | 'encode';

export interface Timer {
  measure<T>(stage: Stage, fn: () => T): T;
  measureAsync<T>(stage: Stage, fn: () => Promise<T>): Promise<T>;
  result(): Timings;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export function createTimer(now: () => number = () => performance.now()): Timer {
  const start = now();
  const spent: Record<Stage, number> = { decode: 0, preprocess: 0, inference: 0, postprocess: 0, encode: 0 };
  return {
    measure(stage, fn) {
      const t = now();
      try {
        return fn();
      } finally {
        spent[stage] += now() - t;
      }
    },
    async measureAsync(stage, fn) {
      const t = now();
      try {
        return await fn();
      } finally {
        spent[stage] += now() - t;
      }
    },
    result: () => ({
      decode_ms: round(spent.decode),
      preprocess_ms: round(spent.preprocess),
      inference_ms: round(spent.inference),
      postprocess_ms: round(spent.postprocess),
      encode_ms: round(spent.encode),
      total_ms: round(now() - start),
    }),
  };
}

/** The stage timings as a standard Server-Timing header, for responses whose body is a picture, not JSON. */
export const serverTiming = (t: Timings): string =>
  (['decode', 'preprocess', 'inference', 'postprocess', 'encode', 'total'] as const).map((s) => `${s};dur=${t[`${s}_ms`]}`).join(', ');
