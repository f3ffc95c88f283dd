import { POSE_EDGES, POSE_KEYPOINTS } from '@cvkit/sdk/contract';
import { describe, expect, it } from 'vitest';
import { isKeypointOutput, keypointBox, toKeypoints, visible } from './keypoints';

describe('the keypoint list and skeleton', () => {
  it('has the 17 COCO keypoints in COCO order and COCO\'s 19 edges between them', () => {
    expect(POSE_KEYPOINTS).toHaveLength(17);
    expect([POSE_KEYPOINTS[0], POSE_KEYPOINTS[5], POSE_KEYPOINTS[16]]).toEqual(['nose', 'left_shoulder', 'right_ankle']);
    expect(POSE_EDGES).toHaveLength(19);
    const seen = new Set(POSE_EDGES.map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`));
    expect(seen.size).toBe(19);
    for (const [a, b] of POSE_EDGES) for (const i of [a, b]) expect(i >= 0 && i < 17).toBe(true);
    // every keypoint is on the skeleton
    expect(new Set(POSE_EDGES.flat()).size).toBe(17);
  });
});

describe('toKeypoints', () => {
  it('reads (y, x, score) triples into named keypoints in the square\'s frame, clipped to the image', () => {
    const data = new Float32Array(17 * 3);
    data.set([0.25, 0.5, 0.9], 0); // nose: y 0.25, x 0.5
    data.set([1.2, -0.1, 0.4], 16 * 3); // right ankle beyond the square
    const kps = toKeypoints(data, { x: -50, y: 100, size: 400 }, { width: 300, height: 480 });
    expect(kps).toHaveLength(17);
    expect(kps.map((k) => k.name)).toEqual([...POSE_KEYPOINTS]);
    expect(kps[0]).toEqual({ name: 'nose', x: 150, y: 200, score: expect.closeTo(0.9, 6) });
    expect(kps[16]).toMatchObject({ name: 'right_ankle', x: 0, y: 480 });
  });
  it('refuses an output of the wrong size', () => {
    expect(() => toKeypoints(new Float32Array(10), { x: 0, y: 0, size: 1 }, { width: 1, height: 1 })).toThrow(/51 values/);
  });
  it('recognises MoveNet\'s output shape', () => {
    expect(isKeypointOutput([1, 1, 17, 3])).toBe(true);
    expect(isKeypointOutput([17, 3])).toBe(true);
    expect(isKeypointOutput([1, 6, 56])).toBe(false);
    expect(isKeypointOutput([2, 1, 17, 3])).toBe(false);
  });
  it('boxes the keypoints that are seen', () => {
    const kps = [
      { name: 'nose' as const, x: 10, y: 20, score: 0.9 },
      { name: 'left_eye' as const, x: 30, y: 5, score: 0.5 },
      { name: 'right_eye' as const, x: 99, y: 99, score: 0.1 },
    ];
    expect(keypointBox(visible(kps, 0.3))).toEqual({ x1: 10, y1: 5, x2: 30, y2: 20 });
    expect(keypointBox([])).toBeUndefined();
  });
});
