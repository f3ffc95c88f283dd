import { describe, expect, it } from 'vitest';
import { parseLabels } from '../engine/engine';
import { canonicalClasses, labelAliases } from './labels';
import { findModel, labelSpec } from './manifest';

describe('label spellings', () => {
  const segmenter = findModel('segment', undefined);

  it('the VOC list is presented with COCO spellings', () => {
    const names = parseLabels('background\naeroplane\nmotorbike\ndiningtable\ntvmonitor\nperson\n', labelSpec(segmenter)).names;
    expect(names).toEqual(['background', 'airplane', 'motorcycle', 'dining table', 'tv', 'person']);
  });

  it('every display name of the VOC list is a COCO label, so detect and segment agree', () => {
    const coco = 'person bicycle car motorcycle airplane bus train truck boat couch potted plant dining table tv';
    for (const name of Object.values(labelAliases(segmenter))) expect(coco).toContain(name);
  });

  it('the file spellings stay accepted for classes, case-insensitively', () => {
    expect(canonicalClasses(segmenter, ['Motorbike', 'person', 'diningtable'])).toEqual(['motorcycle', 'person', 'dining table']);
    expect(canonicalClasses(segmenter, undefined)).toBeUndefined();
    expect(canonicalClasses(findModel('detect', undefined), ['motorbike'])).toEqual(['motorbike']);
  });
});
