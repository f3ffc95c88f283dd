import { describe, expect, it } from 'vitest';
import { vocColor, vocHex, vocPalette } from './palette';

describe('VOC palette', () => {
  it('matches VOCdevkit labelcolormap for the 21 classes and void', () => {
    // From VOCdevkit's VOClabelcolormap.m / the published table.
    const golden: Record<number, [number, number, number]> = {
      0: [0, 0, 0], 1: [128, 0, 0], 2: [0, 128, 0], 3: [128, 128, 0], 4: [0, 0, 128], 5: [128, 0, 128], 6: [0, 128, 128],
      7: [128, 128, 128], 8: [64, 0, 0], 9: [192, 0, 0], 10: [64, 128, 0], 11: [192, 128, 0], 12: [64, 0, 128],
      13: [192, 0, 128], 14: [64, 128, 128], 15: [192, 128, 128], 16: [0, 64, 0], 17: [128, 64, 0], 18: [0, 192, 0],
      19: [128, 192, 0], 20: [0, 64, 128], 255: [224, 224, 192],
    };
    for (const [i, rgb] of Object.entries(golden)) expect(vocColor(Number(i)), `class ${i}`).toEqual(rgb);
  });

  it('packs triples for a PLTE chunk and gives CSS hex', () => {
    const p = vocPalette(21);
    expect(p).toHaveLength(63);
    expect(Array.from(p.subarray(45, 48))).toEqual([192, 128, 128]);
    expect(vocPalette()).toHaveLength(768);
    expect(vocHex(3)).toBe('#808000');
    expect(vocHex(0)).toBe('#000000');
  });

  it('gives distinct colours to the 21 classes', () => {
    const colours = new Set(Array.from({ length: 21 }, (_, i) => vocHex(i)));
    expect(colours.size).toBe(21);
  });
});
