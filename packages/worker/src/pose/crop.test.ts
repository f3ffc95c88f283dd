import { describe, expect, it } from 'vitest';
import { cropRGB, cropSquareRGB, squareAround, wholeImageSquare } from './crop';

/** A W x H RGBA image whose red is x, green is y, blue 7. */
const gradient = (W: number, H: number) => {
  const rgba = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rgba.set([x, y, 7, 255], (y * W + x) * 4);
  return { rgba, width: W, height: H };
};
const at = (rgb: Uint8Array, w: number, x: number, y: number) => Array.from(rgb.subarray((y * w + x) * 3, (y * w + x) * 3 + 3));

describe('squares', () => {
  it('centres a square on a box, its side the longer side plus the margin on each side', () => {
    expect(squareAround({ x1: 100, y1: 50, x2: 200, y2: 450 }, 0.25)).toEqual({ x: -150, y: -50, size: 600 });
    expect(squareAround({ x1: 0, y1: 0, x2: 40, y2: 20 }, 0)).toEqual({ x: 0, y: -10, size: 40 });
  });
  it('holds a whole wide or tall image, padded on the short side', () => {
    expect(wholeImageSquare({ width: 640, height: 480 })).toEqual({ x: 0, y: -80, size: 640 });
    expect(wholeImageSquare({ width: 500, height: 610 })).toEqual({ x: -55, y: 0, size: 610 });
  });
});

describe('cropRGB', () => {
  it('copies pixels exactly at scale 1, RGB without alpha', () => {
    const img = gradient(8, 6);
    const out = cropRGB(img, { x: 2, y: 1, width: 4, height: 4 }, 4, 4);
    expect(out.length).toBe(4 * 4 * 3);
    expect(at(out, 4, 0, 0)).toEqual([2, 1, 7]);
    expect(at(out, 4, 3, 3)).toEqual([5, 4, 7]);
  });
  it('pads outside the image with the pad value instead of stretching', () => {
    const img = gradient(4, 4);
    const out = cropSquareRGB(img, { x: -2, y: 0, size: 4 }, 4, 0);
    expect(at(out, 4, 0, 0)).toEqual([0, 0, 0]);
    expect(at(out, 4, 1, 2)).toEqual([0, 0, 0]);
    expect(at(out, 4, 2, 2)).toEqual([0, 2, 7]);
    expect(at(out, 4, 3, 1)).toEqual([1, 1, 7]);
  });
  it('averages the footprint when shrinking (no aliasing on a 1-pixel checkerboard)', () => {
    const W = 64;
    const rgba = new Uint8Array(W * W * 4);
    for (let i = 0; i < W * W; i++) rgba.fill((i % W) % 2 === Math.floor(i / W) % 2 ? 255 : 0, i * 4, i * 4 + 3);
    const out = cropRGB({ rgba, width: W, height: W }, { x: 0, y: 0, width: W, height: W }, 16, 16);
    for (const v of out) expect(Math.abs(v - 127.5)).toBeLessThanOrEqual(1);
  });
  it('stretches a non-square region to the output (a whole photo to 192x192)', () => {
    const img = gradient(20, 10);
    const out = cropRGB(img, { x: 0, y: 0, width: 20, height: 10 }, 10, 10);
    expect(at(out, 10, 0, 0)).toEqual([1, 0, 7]);
    expect(at(out, 10, 9, 9)).toEqual([19, 9, 7]);
  });
  it('enlarges a small region bilinearly', () => {
    const img = gradient(4, 4);
    const out = cropRGB(img, { x: 0, y: 0, width: 2, height: 2 }, 4, 4);
    expect(at(out, 4, 0, 0)).toEqual([0, 0, 7]);
    expect(at(out, 4, 2, 1)).toEqual([1, 0, 7]);
  });
});
