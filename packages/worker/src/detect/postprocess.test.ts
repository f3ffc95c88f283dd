import { describe, expect, it } from 'vitest';
import { placeInput } from '../pipeline/preprocess';
import { DEFAULT_IOU, type DetectorOutput, decodeOutputs, toDetections, toImage } from './postprocess';

const names = ['person', 'dog', 'teddy bear'];

describe('decodeOutputs', () => {
  it('decodes a yolox-grid output in input coordinates', () => {
    // 8x8 input, one stride of 8: a single anchor, row (x, y, w, h, obj, person, dog, teddy bear)
    const data = new Float32Array([0.5, 0.5, 0, 0, 1, 0.1, 0.9, 0.2]);
    const got = decodeOutputs({ kind: 'yolox-grid', name: 'output', strides: [8], nms: true }, { width: 8, height: 8 }, { output: { data } }, 3, { threshold: 0.5 });
    expect(got.coordinates).toBe('input');
    expect(got.candidates).toEqual([{ box: { x1: 0, y1: 0, x2: 8, y2: 8 }, score: expect.closeTo(0.9, 6), classIndex: 1 }]);
  });

  it('decodes detr-boxes outputs in the coordinates the spec names', () => {
    const spec = { kind: 'detr-boxes', boxes: 'b', labels: 'l', scores: 's', coordinates: 'image', nms: false } as const;
    const outputs = { b: { data: new Float32Array([1, 2, 3, 4]) }, l: { data: new BigInt64Array([2n]) }, s: { data: new Float32Array([0.75]) } };
    const got = decodeOutputs(spec, { width: 320, height: 320 }, outputs, 3, { threshold: 0.5 });
    expect(got).toEqual({ coordinates: 'image', candidates: [{ box: { x1: 1, y1: 2, x2: 3, y2: 4 }, score: 0.75, classIndex: 2 }] });
  });

  it('names a missing or mistyped output', () => {
    const spec: DetectorOutput = { kind: 'yolox-grid', name: 'output', strides: [8], nms: true };
    expect(() => decodeOutputs(spec, { width: 8, height: 8 }, {}, 3, { threshold: 0.5 })).toThrow(/no float32 output 'output'/);
    expect(() => decodeOutputs(spec, { width: 8, height: 8 }, { output: { data: new Int32Array(8) } }, 3, { threshold: 0.5 })).toThrow(/output/);
  });
});

describe('toImage', () => {
  const image = { width: 200, height: 100 };
  it('maps input, normalized and image coordinates to image pixels', () => {
    const placement = placeInput(200, 100, { width: 100, height: 100, resize: 'letterbox' }); // content 100x50
    expect(toImage({ x1: 10, y1: 10, x2: 20, y2: 20 }, 'input', placement, image)).toEqual({ x1: 20, y1: 20, x2: 40, y2: 40 });
    expect(toImage({ x1: 0.5, y1: 0.5, x2: 1, y2: 1 }, 'normalized', placement, image)).toEqual({ x1: 100, y1: 50, x2: 200, y2: 100 });
    expect(toImage({ x1: 1, y1: 2, x2: 3, y2: 4 }, 'image', placement, image)).toEqual({ x1: 1, y1: 2, x2: 3, y2: 4 });
  });
});

describe('toDetections', () => {
  const image = { width: 200, height: 100 };
  const placement = { width: 200, height: 100 };
  const c = (x1: number, y1: number, x2: number, y2: number, score: number, classIndex: number) => ({ box: { x1, y1, x2, y2 }, score, classIndex });

  it('clips, labels, normalizes and sorts; drops boxes left empty by clipping', () => {
    const got = toDetections(
      [c(-10, 50, 50, 150, 0.6, 0), c(150, 0, 250, 50, 0.8, 1), c(210, 0, 250, 50, 0.9, 1)],
      'image', placement, image, names, { iou: undefined, maxDetections: 10, nmsByDefault: false },
    );
    expect(got).toEqual([
      { label: 'dog', index: 1, score: 0.8, box: { x1: 150, y1: 0, x2: 200, y2: 50 }, box_normalized: { x1: 0.75, y1: 0, x2: 1, y2: 0.5 } },
      { label: 'person', index: 0, score: 0.6, box: { x1: 0, y1: 50, x2: 50, y2: 100 }, box_normalized: { x1: 0, y1: 0.5, x2: 0.25, y2: 1 } },
    ]);
  });

  it('applies NMS by default only where the spec says so, or when the caller gives an IoU', () => {
    // two dogs overlapping with IoU 90/110 = 0.82, and a person on top of them (every label kept: per-class NMS alone)
    const cands = [c(0, 0, 10, 10, 0.9, 1), c(1, 0, 11, 10, 0.8, 1), c(0, 0, 10, 10, 0.7, 0)];
    const run = (iou: number | undefined, nmsByDefault: boolean) =>
      toDetections(cands, 'image', placement, image, names, { iou, maxDetections: 10, nmsByDefault, classAgnostic: false }).map((d) => `${d.label} ${d.score}`);
    expect(DEFAULT_IOU).toBe(0.45);
    expect(run(undefined, true)).toEqual(['dog 0.9', 'person 0.7']);
    expect(run(undefined, false)).toEqual(['dog 0.9', 'dog 0.8', 'person 0.7']);
    expect(run(0.45, false)).toEqual(['dog 0.9', 'person 0.7']);
    expect(run(0.9, true)).toEqual(['dog 0.9', 'dog 0.8', 'person 0.7']);
  });

  it('one label per object by default: the runner-up label of an identical box is an alternative; classAgnostic false keeps both', () => {
    const cands = [c(0, 0, 10, 10, 0.57, 1), c(0, 0, 10, 10, 0.56, 2), c(50, 50, 60, 60, 0.5, 0)];
    const run = (classAgnostic?: boolean) => toDetections(cands, 'image', placement, image, names, { iou: undefined, maxDetections: 10, nmsByDefault: false, classAgnostic });
    expect(run().map((d) => [d.label, d.alternatives])).toEqual([['dog', [{ label: 'teddy bear', index: 2, score: 0.56 }]], ['person', undefined]]);
    expect(run(false).map((d) => [d.label, d.alternatives])).toEqual([['dog', undefined], ['teddy bear', undefined], ['person', undefined]]);
  });

  it('cuts at maxDetections and returns nothing for no candidates', () => {
    const cands = [c(0, 0, 10, 10, 0.5, 0), c(20, 0, 30, 10, 0.6, 0), c(40, 0, 50, 10, 0.7, 0)];
    expect(toDetections(cands, 'image', placement, image, names, { iou: 0.45, maxDetections: 2, nmsByDefault: true }).map((d) => d.score)).toEqual([0.7, 0.6]);
    expect(toDetections([], 'image', placement, image, names, { iou: 0.45, maxDetections: 2, nmsByDefault: true })).toEqual([]);
  });
});
