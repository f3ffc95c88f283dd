import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { analyzePlan } from './analyze';

const plan = (raw: Record<string, unknown>) => Object.fromEntries(analyzePlan(raw));
const fails = (raw: Record<string, unknown>, path: RegExp) => {
  try {
    analyzePlan(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('invalid_option');
    expect((err as ApiError).issues?.[0]?.path).toMatch(path);
    return;
  }
  throw new Error('expected an invalid_option error');
};

describe('analyzePlan', () => {
  it('the object form: per-task options', () => {
    expect(plan({ tasks: { classify: { top_k: 3 }, detect: {} } })).toEqual({ classify: { top_k: 3 }, detect: {} });
  });
  it('the list forms: array, comma string, repeated', () => {
    expect(plan({ tasks: ['classify', 'segment'] })).toEqual({ classify: {}, segment: {} });
    expect(plan({ tasks: 'classify, detect' })).toEqual({ classify: {}, detect: {} });
    expect(plan({ tasks: ['classify,detect', 'segment'] })).toEqual({ classify: {}, detect: {}, segment: {} });
  });
  it('dotted options (query strings, forms) join their task', () => {
    expect(plan({ tasks: 'classify,detect', 'detect.threshold': '0.3', 'classify.top_k': '2' })).toEqual({ classify: { top_k: '2' }, detect: { threshold: '0.3' } });
  });
  it('tasks as a JSON string', () => {
    expect(plan({ tasks: '{"detect": {"threshold": 0.2}}' })).toEqual({ detect: { threshold: 0.2 } });
    expect(plan({ tasks: '["classify", "segment"]' })).toEqual({ classify: {}, segment: {} });
  });
  it('refuses what it cannot run', () => {
    fails({}, /^tasks$/);
    fails({ tasks: [] }, /^tasks$/);
    fails({ tasks: 'classify,ocr' }, /^tasks$/);
    fails({ tasks: { ocr: {} } }, /^tasks\.ocr$/);
    fails({ tasks: { detect: 3 } }, /^tasks\.detect$/);
    fails({ tasks: '{nope' }, /^tasks$/);
    fails({ tasks: 'classify', top_k: 3 }, /^top_k$/);
    fails({ tasks: 'classify', 'detect.threshold': '0.3' }, /^detect\.threshold$/);
  });
});
