import { describe, expect, it } from 'vitest';
import { type Candidate, byScore, nms, selectDetections, topDetections } from './nms';

const cand = (x1: number, y1: number, x2: number, y2: number, score: number, classIndex = 0): Candidate => ({ box: { x1, y1, x2, y2 }, score, classIndex });

describe('nms', () => {
  it('keeps nothing from nothing', () => {
    expect(nms([], 0.45, 100)).toEqual([]);
  });

  it('suppresses an overlapping box of the same class, keeping the better one', () => {
    const best = cand(0, 0, 10, 10, 0.9);
    const dup = cand(1, 0, 11, 10, 0.8); // IoU 90/110 = 0.818
    const far = cand(50, 50, 60, 60, 0.7);
    expect(nms([dup, far, best], 0.45, 100)).toEqual([best, far]);
  });

  it('keeps overlapping boxes of two classes', () => {
    const dog = cand(0, 0, 10, 10, 0.9, 16);
    const cat = cand(0, 0, 10, 10, 0.6, 15);
    expect(nms([cat, dog], 0.45, 100)).toEqual([dog, cat]);
  });

  it('suppresses only above the IoU threshold: equal is kept', () => {
    const a = cand(0, 0, 10, 10, 0.9);
    const b = cand(5, 0, 15, 10, 0.8); // IoU exactly 50/150 = 1/3
    expect(nms([a, b], 1 / 3, 10)).toEqual([a, b]);
    expect(nms([a, b], 0.33, 10)).toEqual([a]);
    expect(nms([a, b], 0, 10)).toEqual([a]); // any overlap suppresses
    expect(nms([a, b], 1, 10)).toEqual([a, b]); // nothing suppresses
  });

  it('does not chain: a box suppressed by the best does not suppress a third', () => {
    // b overlaps a (1/3) and c (1/3); a and c do not overlap. With 0.3, b goes and c stays.
    const a = cand(0, 0, 10, 10, 0.9);
    const b = cand(5, 0, 15, 10, 0.8);
    const c = cand(10, 0, 20, 10, 0.7);
    expect(nms([a, b, c], 0.3, 10)).toEqual([a, c]);
  });

  it('stops at maxDetections', () => {
    const boxes = [0, 1, 2, 3].map((i) => cand(i * 20, 0, i * 20 + 10, 10, 0.5 + i / 10));
    expect(nms(boxes, 0.45, 2).map((c) => c.score)).toEqual([0.8, 0.7]);
  });
});

describe('byScore and topDetections', () => {
  it('sorts best first, stably', () => {
    const a = cand(0, 0, 1, 1, 0.5);
    const b = cand(0, 0, 1, 1, 0.9);
    const c = cand(0, 0, 1, 1, 0.5, 3);
    expect(byScore([a, b, c])).toEqual([b, a, c]);
  });
  it('keeps overlapping boxes and cuts at maxDetections', () => {
    const a = cand(0, 0, 10, 10, 0.9);
    const b = cand(0, 0, 10, 10, 0.8);
    const c = cand(0, 0, 10, 10, 0.7);
    expect(topDetections([c, a, b], 2)).toEqual([a, b]);
    expect(topDetections([], 5)).toEqual([]);
  });
});

describe('selectDetections', () => {
  const hotDog = cand(0, 0, 10, 10, 0.57, 52);
  const pizza = cand(0, 0, 10, 10, 0.56, 53);
  const sandwich = cand(0, 0, 10, 10.5, 0.4, 48);
  const plate = cand(0, 0, 20, 20, 0.5, 45); // IoU with hotDog 0.25: another object

  it('one label per object: near-identical boxes of other labels become alternatives of the best', () => {
    const got = selectDetections([pizza, plate, sandwich, hotDog], { iou: undefined, agnosticIou: 0.7, maxDetections: 10 });
    expect(got).toEqual([{ ...hotDog, alternatives: [pizza, sandwich] }, plate]);
  });

  it('without agnosticIou every label is kept, as before', () => {
    expect(selectDetections([pizza, hotDog], { iou: undefined, agnosticIou: undefined, maxDetections: 10 })).toEqual([hotDog, pizza]);
  });

  it('same-label overlaps are left to iou; alternatives are capped and distinct', () => {
    const again = cand(0, 0, 10, 10, 0.5, 52);
    const pizza2 = cand(0.1, 0, 10, 10, 0.3, 53);
    const others = [1, 2, 3, 4].map((i) => cand(0, 0, 10, 10, 0.2 - i / 100, i));
    const all = [hotDog, again, pizza, pizza2, ...others];
    const got = selectDetections(all, { iou: 0.45, agnosticIou: 0.7, maxDetections: 10, maxAlternatives: 3 });
    expect(got).toHaveLength(1);
    expect(got[0]?.alternatives?.map((a) => a.classIndex)).toEqual([53, 1, 2]);
    expect(selectDetections(all, { iou: undefined, agnosticIou: 0.7, maxDetections: 10 }).map((c) => c.score)).toEqual([0.57, 0.5]);
  });

  it('merged boxes do not count toward maxDetections', () => {
    const far = cand(50, 50, 60, 60, 0.1, 1);
    expect(selectDetections([hotDog, pizza, far], { iou: 0.45, agnosticIou: 0.7, maxDetections: 2 }).map((c) => c.classIndex)).toEqual([52, 1]);
  });
});
