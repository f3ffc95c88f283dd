import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { canonicalClasses, labelAliases, parseLabels, resolveClasses } from './labels';
import manifestJson from './manifest.json';
import { findModel, labelSpec, manifest, parseManifest } from './manifest';

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

describe('placeholder labels (ignore)', () => {
  it("imagenet_1001's background (index 0) is never a prediction; an ignore index past count fails the manifest", () => {
    expect(manifest.labels.imagenet_1001?.ignore).toEqual([0]);
    const bad = structuredClone(manifestJson) as { labels: Record<string, Record<string, unknown>> };
    (bad.labels.coco_80 as Record<string, unknown>).ignore = [80];
    expect(() => parseManifest(bad)).toThrow(/ignore: every index is below count/);
  });
});
