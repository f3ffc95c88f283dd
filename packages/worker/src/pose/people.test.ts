import { type Keypoint, POSE_KEYPOINTS } from '@cvkit/sdk/contract';
import { describe, expect, it } from 'vitest';
import { personBox, personBoxes, personScore, planCandidates, samePerson, selectPeople, WHOLE_PHOTO_KEYPOINT_SCORE } from './people';

/** 17 keypoints on a vertical line from (x, y0) down, 10 px apart, all with `score` (or per-keypoint scores). */
const pose = (x: number, y0: number, score: number | number[]): Keypoint[] =>
  POSE_KEYPOINTS.map((name, i) => ({ name, x, y: y0 + i * 10, score: typeof score === 'number' ? score : (score[i] ?? 0) }));

describe('planCandidates', () => {
  const photo = { width: 640, height: 480 };
  it('crops a square around each person box, best boxes first, at most maxBoxes', () => {
    const boxes = [
      { box: { x1: 0, y1: 0, x2: 10, y2: 100 }, score: 0.5 },
      { box: { x1: 200, y1: 100, x2: 300, y2: 400 }, score: 0.9 },
      { box: { x1: 400, y1: 100, x2: 450, y2: 200 }, score: 0.4 },
    ];
    const plan = planCandidates(boxes, photo, 2);
    expect(plan.map((c) => c.from?.score)).toEqual([0.9, 0.5]);
    // 300 px tall box + 20% on each side: a 420 px square centred on the box
    expect(plan[0]?.square).toEqual({ x: 40, y: 40, size: 420 });
  });
  it('looks at the whole photo, padded to a square, when the detector found nobody', () => {
    expect(planCandidates([], photo, 6)).toEqual([{ square: { x: 0, y: -80, size: 640 } }]);
  });
});

describe('personScore', () => {
  it('is 0 with fewer than four keypoints seen', () => {
    expect(personScore(pose(0, 0, [0.9, 0.9, 0.9]), 0.3)).toBe(0);
  });
  it('grows with the keypoints\' scores and how many are seen, and with the box score', () => {
    const all = personScore(pose(0, 0, 0.8), 0.3);
    expect(all).toBeCloseTo(0.8, 6);
    const half = personScore(pose(0, 0, [0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]), 0.3, undefined);
    expect(half).toBeLessThan(all);
    expect(personScore(pose(0, 0, 0.8), 0.3, 0.5)).toBeCloseTo(Math.sqrt(0.8 * 0.5), 6);
  });
  it('without a detector box counts only keypoints from WHOLE_PHOTO_KEYPOINT_SCORE (MoveNet answers on a hot dog too)', () => {
    const weak = pose(0, 0, WHOLE_PHOTO_KEYPOINT_SCORE - 0.1);
    expect(personScore(weak, 0.3)).toBe(0);
    expect(personScore(weak, 0.3, 0.9)).toBeGreaterThan(0);
  });
});

describe('personBox', () => {
  it('is the detector\'s box when there is one, else the seen keypoints widened by a tenth, clipped', () => {
    const kps = pose(50, 0, 0.9);
    const from = { box: { x1: 1, y1: 2, x2: 3, y2: 4 }, score: 0.9 };
    expect(personBox(kps, 0.3, { width: 100, height: 500 }, from)).toBe(from.box);
    expect(personBox(kps, 0.3, { width: 100, height: 150 })).toEqual({ x1: 50, y1: 0, x2: 50, y2: 150 });
  });
});

describe('samePerson and selectPeople', () => {
  const a = { score: 0.9, box: { x1: 0, y1: 0, x2: 10, y2: 160 }, keypoints: pose(100, 0, 0.9) };
  const nearA = { score: 0.7, box: a.box, keypoints: pose(103, 2, 0.9) };
  const b = { score: 0.8, box: a.box, keypoints: pose(300, 0, 0.9) };
  it('tells the same person found twice from two people', () => {
    expect(samePerson(a.keypoints, nearA.keypoints, 0.3)).toBe(true);
    expect(samePerson(a.keypoints, b.keypoints, 0.3)).toBe(false);
  });
  it('keeps people best first, once each, above the score, at most max_people', () => {
    const options = { minPersonScore: 0.5, maxPeople: 6, minKeypointScore: 0.3 };
    expect(selectPeople([nearA, b, a], options)).toEqual([a, b]);
    expect(selectPeople([nearA, b, a], { ...options, maxPeople: 1 })).toEqual([a]);
    expect(selectPeople([nearA, b, a], { ...options, minPersonScore: 0.85 })).toEqual([a]);
    expect(selectPeople([], options)).toEqual([]);
  });
});

describe('personBoxes', () => {
  it('keeps the detector\'s people only', () => {
    const box = { x1: 0, y1: 0, x2: 1, y2: 1 };
    expect(personBoxes([{ label: 'dog', score: 0.9, box }, { label: 'person', score: 0.6, box }])).toEqual([{ box, score: 0.6 }]);
  });
});
