import { describe, expect, it } from 'vitest';
import { blendOverlay, maskTransparency } from './overlay';
import { vocPalette } from '../segment/palette';

describe('blendOverlay', () => {
  const palette = vocPalette();
  const map = { width: 4, height: 1, data: Uint8Array.from([0, 3, 15, 255]) };
  const photo = () => Uint8Array.from([10, 20, 30, 255, 0, 0, 0, 255, 200, 200, 200, 128, 50, 60, 70, 255]);

  it('blends class colours half over the photo, leaves background and unrequested pixels', () => {
    const out = blendOverlay(photo(), map, palette);
    expect(Array.from(out)).toEqual([
      10, 20, 30, 255, // background: photo
      64, 64, 0, 255, // bird (128,128,0) over black, half
      196, 164, 164, 128, // person (192,128,128) over 200 grey, half; alpha untouched
      50, 60, 70, 255, // unrequested: photo
    ]);
  });

  it('opacity 0 keeps the photo, 1 paints the colour', () => {
    expect(Array.from(blendOverlay(photo(), map, palette, 0))).toEqual(Array.from(photo()));
    expect(Array.from(blendOverlay(photo(), map, palette, 1).subarray(4, 12))).toEqual([128, 128, 0, 255, 192, 128, 128, 128]);
  });

  it('works in place and checks sizes', () => {
    const rgba = photo();
    expect(blendOverlay(rgba, map, palette)).toBe(rgba);
    expect(() => blendOverlay(new Uint8Array(8), map, palette)).toThrow(/pixels/);
  });
});

describe('maskTransparency', () => {
  it('makes background and unrequested transparent, classes opaque', () => {
    const t = maskTransparency();
    expect([t[0], t[1], t[15], t[254], t[255]]).toEqual([0, 255, 255, 255, 0]);
    expect(Array.from(maskTransparency(3))).toEqual([0, 255, 255]);
  });
});
