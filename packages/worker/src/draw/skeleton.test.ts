import { type Person, POSE_KEYPOINTS } from '@cvkit/sdk/contract';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../image/decode';
import { drawSkeletons, edgeSide, keypointSide, SIDE_COLORS, strokeSegment } from './skeleton';

const pixel = (rgba: Uint8Array, width: number, x: number, y: number) => Array.from(rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 3));

describe('sides', () => {
  it('colours by the subject\'s side; edges across the body and the face are centre', () => {
    expect([keypointSide('left_wrist'), keypointSide('right_knee'), keypointSide('nose')]).toEqual(['left', 'right', 'centre']);
    expect(edgeSide('left_elbow', 'left_wrist')).toBe('left');
    expect(edgeSide('right_hip', 'right_knee')).toBe('right');
    expect(edgeSide('left_shoulder', 'right_shoulder')).toBe('centre');
    expect(edgeSide('nose', 'left_eye')).toBe('centre');
  });
});

describe('strokeSegment', () => {
  it('paints the pixels within half the width of the segment, clipped to the image', () => {
    const size = { width: 7, height: 5 };
    const rgba = new Uint8Array(7 * 5 * 4);
    strokeSegment(rgba, size, 1, 2.5, 6, 2.5, 0.4, [9, 9, 9]);
    strokeSegment(rgba, size, -5, -5, -1, -1, 1, [9, 9, 9]);
    const drawn = Array.from({ length: 35 }, (_, i) => (rgba[i * 4] === 9 ? '#' : '.')).join('').match(/.{7}/g);
    expect(drawn).toEqual(['.......', '.......', '.#####.', '.......', '.......']);
  });
});

describe('drawSkeletons', () => {
  // A person standing in a 200x300 photo: arms out to the sides, every keypoint seen except the right wrist.
  const at: Record<string, [number, number]> = {
    nose: [100, 40], left_eye: [105, 35], right_eye: [95, 35], left_ear: [112, 40], right_ear: [88, 40],
    left_shoulder: [130, 80], right_shoulder: [70, 80], left_elbow: [160, 110], right_elbow: [40, 110],
    left_wrist: [190, 140], right_wrist: [10, 140], left_hip: [120, 170], right_hip: [80, 170],
    left_knee: [120, 230], right_knee: [80, 230], left_ankle: [120, 290], right_ankle: [80, 290],
  };
  const person: Person = {
    score: 0.9,
    box: { x1: 10, y1: 35, x2: 190, y2: 290 },
    keypoints: POSE_KEYPOINTS.map((name) => ({ name, x: at[name]![0], y: at[name]![1], score: name === 'right_wrist' ? 0.1 : 0.9 })),
  };
  const photo = { width: 200, height: 300, rgba: new Uint8Array(200 * 300 * 4).fill(128) };

  it('draws limbs in their side\'s colour and leaves out low-score keypoints and their limbs', async () => {
    const out = await decodeImage(drawSkeletons(photo, [person], 'image/png', { minKeypointScore: 0.3 }));
    expect([out.width, out.height]).toEqual([200, 300]);
    expect(pixel(out.rgba, 200, 175, 125)).toEqual([...SIDE_COLORS.left]); // left forearm
    expect(pixel(out.rgba, 200, 80, 200)).toEqual([...SIDE_COLORS.right]); // right shin
    expect(pixel(out.rgba, 200, 100, 80)).toEqual([...SIDE_COLORS.centre]); // shoulder line
    expect(pixel(out.rgba, 200, 25, 125)).toEqual([128, 128, 128]); // right forearm: its wrist is not seen
    expect(pixel(out.rgba, 200, 10, 140)).toEqual([128, 128, 128]);
    expect(pixel(out.rgba, 200, 160, 110)).toEqual([...SIDE_COLORS.left]); // the left elbow's dot
  });
  it('draws at the decoded size when the photo was decoded smaller than its original', async () => {
    const half = { width: 100, height: 150, rgba: new Uint8Array(100 * 150 * 4).fill(128), original: { width: 200, height: 300 } };
    const out = await decodeImage(drawSkeletons(half, [person], 'image/png', { minKeypointScore: 0.3 }));
    expect([out.width, out.height]).toEqual([100, 150]);
    expect(pixel(out.rgba, 100, 87, 62)).toEqual([...SIDE_COLORS.left]);
  });
  it('adds a legend panel when asked, and draws nothing for nobody', async () => {
    const plain = drawSkeletons(photo, [person], 'image/png', { minKeypointScore: 0.3 });
    const withLegend = drawSkeletons(photo, [person], 'image/png', { minKeypointScore: 0.3, legend: true });
    expect(Buffer.from(withLegend).equals(Buffer.from(plain))).toBe(false);
    const nobody = await decodeImage(drawSkeletons(photo, [], 'image/png', { minKeypointScore: 0.3, legend: true }));
    expect(nobody.rgba.every((v) => v === 128)).toBe(true);
  });
});
