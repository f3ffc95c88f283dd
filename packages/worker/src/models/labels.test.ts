import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { parseLabels, resolveClasses } from './labels';

describe('parseLabels', () => {
  it('takes the first synonym of a synset line as the name', () => {
    expect(parseLabels('background\ntench, Tinca tinca\n\n', { format: 'synset' })).toEqual({ names: ['background', 'tench'], lines: ['background', 'tench, Tinca tinca'] });
  });
});

describe('resolveClasses', () => {
  const labels = ['background', 'aeroplane', 'bicycle', 'bird'];
  it('maps names case-insensitively, trimmed', () => {
    expect([...resolveClasses(['Bird', ' background '], labels, 'm')]).toEqual([3, 0]);
  });
  it('rejects names that are not labels with one invalid_option message, naming them and the labels', () => {
    for (const [wanted, text] of [
      [['bird', 'unicorn'], "'unicorn' is not a label of m"],
      [['Unicorn', 'toaster'], "'Unicorn', 'toaster' are not labels of m"],
    ] as const) {
      try {
        resolveClasses(wanted, labels, 'm');
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
        expect((err as ApiError).code).toBe('invalid_option');
        expect((err as ApiError).message).toBe(`Invalid options: classes: ${text}. Its labels are: background, aeroplane, bicycle, bird.`);
        expect((err as ApiError).issues).toEqual([{ path: 'classes', message: text }]);
      }
    }
  });
});
