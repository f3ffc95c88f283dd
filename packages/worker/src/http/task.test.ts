import { describe, expect, it } from 'vitest';
import { ClassifyOptions, DetectOptions } from '@cvkit/sdk/contract';
import { ApiError } from '../errors';
import { parseOptions } from './task';

const messageOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err.message;
    throw err;
  }
  throw new Error('no error');
};

describe('parseOptions', () => {
  it('an unknown option close to a real one says "did you mean"', () => {
    expect(messageOf(() => parseOptions(ClassifyOptions, { topk: '3' }))).toBe('Invalid options: (options): unknown option(s): topk (did you mean `top_k`?).');
    expect(messageOf(() => parseOptions(DetectOptions, { treshold: 0.3, max_detection: 3 }))).toMatch(/treshold \(did you mean `threshold`\?\), max_detection \(did you mean `max_detections`\?\)/);
  });

  it('a name nothing like an option, or a huge one, is named without a guess', () => {
    expect(messageOf(() => parseOptions(ClassifyOptions, { colour: 'red' }))).toBe('Invalid options: (options): unknown option(s): colour.');
    expect(messageOf(() => parseOptions(ClassifyOptions, { ['top_k'.repeat(100_000)]: 1 }))).not.toMatch(/did you mean/);
  });
});
