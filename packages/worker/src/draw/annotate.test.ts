import { PhotonImage } from '@cf-wasm/photon';
import { describe, expect, it } from 'vitest';
import { annotate, annotationLayout, captionRect, captionText, classColor, pixelRect, strokeRect, styleFor, textColor } from './annotate';
import { overlapArea } from './place-labels';

const pixel = (rgba: Uint8Array, width: number, x: number, y: number) => Array.from(rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));

describe('styleFor', () => {
  it('scales text and lines with the image, within limits', () => {
    expect(styleFor({ width: 512, height: 430 })).toEqual({ fontSize: 13, lineWidth: 2 });
    expect(styleFor({ width: 1352, height: 900 })).toEqual({ fontSize: 31, lineWidth: 4 });
    expect(styleFor({ width: 4000, height: 3000 })).toEqual({ fontSize: 96, lineWidth: 12 });
    expect(styleFor({ width: 32, height: 32 })).toEqual({ fontSize: 12, lineWidth: 2 });
    expect(styleFor({ width: 16000, height: 1000 }).fontSize).toBe(111);
  });
});

describe('colours', () => {
  it('gives 20 distinct class colours, then repeats', () => {
    const first = Array.from({ length: 20 }, (_, i) => classColor(i).join(','));
    expect(new Set(first).size).toBe(20);
    expect(classColor(20)).toEqual(classColor(0));
    expect(classColor(0)).toEqual([255, 56, 56]);
  });
  it('picks black text on light colours and white on dark ones', () => {
    expect(textColor([255, 178, 29])).toEqual([0, 0, 0]);
    expect(textColor([0, 24, 236])).toEqual([255, 255, 255]);
  });
});

describe('pixelRect and strokeRect', () => {
  it('covers the box pixels, clipped', () => {
    expect(pixelRect({ x1: 1.5, y1: 0.2, x2: 4.1, y2: 3 }, { width: 4, height: 4 })).toEqual({ x: 1, y: 0, width: 3, height: 3 });
  });
  it('draws the outline inward with the line width', () => {
    const size = { width: 6, height: 6 };
    const rgba = new Uint8Array(6 * 6 * 4);
    strokeRect(rgba, size, { x: 1, y: 1, width: 4, height: 4 }, [9, 8, 7], 1);
    const drawn = Array.from({ length: 36 }, (_, i) => (rgba[i * 4] === 9 ? '#' : '.')).join('').match(/.{6}/g);
    expect(drawn).toEqual(['......', '.####.', '.#..#.', '.#..#.', '.####.', '......']);
    expect(pixel(rgba, 6, 1, 1)).toEqual([9, 8, 7, 255]);
  });
  it('fills a box thinner than two lines', () => {
    const rgba = new Uint8Array(4 * 4 * 4);
    strokeRect(rgba, { width: 4, height: 4 }, { x: 0, y: 0, width: 3, height: 1 }, [1, 1, 1], 3);
    const drawn = Array.from({ length: 16 }, (_, i) => (rgba[i * 4] === 1 ? '#' : '.')).join('');
    expect(drawn).toBe('###.............');
  });
});

describe('captionRect', () => {
  const style = { fontSize: 20, lineWidth: 3 };
  const image = { width: 300, height: 200 };
  it('sits on top of the box when there is room', () => {
    // height round(26), width round(20 * (0.42 * 8 + 0.5)) = round(77.2) = 77
    expect(captionRect({ x: 50, y: 100, width: 40, height: 40 }, 'dog 0.91', style, image)).toEqual({ x: 50, y: 74, width: 77, height: 26 });
  });
  it('goes inside the box at the top edge, and shifts left at the right edge', () => {
    expect(captionRect({ x: 280, y: 10, width: 20, height: 40 }, 'dog 0.91', style, image)).toEqual({ x: 223, y: 10, width: 77, height: 26 });
  });
  it('formats "label score" with two decimals', () => {
    expect(captionText({ label: 'teddy bear', score: 0.5049 })).toBe('teddy bear 0.50');
  });
});

describe('annotate', () => {
  const gray = (w: number, h: number) => ({ width: w, height: h, rgba: new Uint8Array(w * h * 4).fill(128) });
  const dog = { label: 'dog', index: 16, score: 0.9, box: { x1: 20, y1: 40, x2: 100, y2: 90 }, box_normalized: { x1: 0, y1: 0, x2: 0, y2: 0 } };

  it('encodes a PNG of the same size with the box outlined in the class colour and the input untouched', () => {
    const image = gray(160, 120);
    const png = annotate(image, [dog], 'image/png');
    expect(Array.from(png.subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const decoded = PhotonImage.new_from_byteslice(png);
    try {
      expect([decoded.get_width(), decoded.get_height()]).toEqual([160, 120]);
      const px = decoded.get_raw_pixels();
      expect(pixel(px, 160, 20, 60)).toEqual([...classColor(16), 255]); // left edge of the box
      expect(pixel(px, 160, 60, 65)).toEqual([128, 128, 128, 128]); // inside the box: untouched (alpha from the input)
      expect(pixel(px, 160, 150, 110)).toEqual([128, 128, 128, 128]); // outside everything
      // the caption (above the box: y 40 - 16 = 24 .. 40) holds the class colour and text pixels
      // the caption (font 12: 16 px high, above the box at y 24..40, x 20..~68) is the class colour with white text
      const caption = Array.from({ length: 16 * 40 }, (_, i) => pixel(px, 160, 20 + (i % 40), 24 + Math.floor(i / 40)).join());
      expect(caption).toContain([...classColor(16), 255].join());
      const light = caption.filter((p) => p.split(',').slice(0, 3).every((v) => Number(v) > 200));
      expect(light.length).toBeGreaterThan(20); // anti-aliased white glyphs
    } finally {
      decoded.free();
    }
    expect(image.rgba.every((v) => v === 128)).toBe(true);
  });

  it('encodes JPEG on request, and draws on images smaller than a caption without failing', () => {
    const jpeg = annotate(gray(8, 8), [{ ...dog, box: { x1: 1, y1: 1, x2: 7, y2: 7 } }], 'image/jpeg');
    expect(Array.from(jpeg.subarray(0, 2))).toEqual([0xff, 0xd8]);
  });

  it('with no detections returns the image unchanged', () => {
    const png = annotate(gray(10, 10), [], 'image/png');
    const decoded = PhotonImage.new_from_byteslice(png);
    try {
      expect(decoded.get_raw_pixels().every((v) => v === 128)).toBe(true);
    } finally {
      decoded.free();
    }
  });
});

describe('annotationLayout', () => {
  const det = (label: string, index: number, score: number, x1: number, y1: number, x2: number, y2: number) => ({
    label, index, score, box: { x1, y1, x2, y2 }, box_normalized: { x1: 0, y1: 0, x2: 0, y2: 0 },
  });

  it('on a 128x128 image the legend never hides a tag (dog_segmentation.png: one box filling the photo)', () => {
    const size = { width: 128, height: 128 };
    const style = styleFor(size);
    const layout = annotationLayout(size, [det('bear', 21, 0.56, 29, 9, 121, 127)], 1, style, true);
    expect(layout.legend).toBeDefined();
    for (const tag of layout.tags) expect(overlapArea(tag, layout.legend?.panel ?? tag)).toBe(0);
    const inside = (r: { x: number; y: number; width: number; height: number }) => r.x >= 0 && r.y >= 0 && r.x + r.width <= 128 && r.y + r.height <= 128;
    expect(layout.tags.every(inside)).toBe(true);
  });

  it('several detections on a small image: no tag under the legend or under another tag', () => {
    const size = { width: 160, height: 120 };
    const dets = [det('dog', 16, 0.9, 0, 0, 80, 60), det('cat', 15, 0.8, 80, 0, 160, 60), det('person', 0, 0.7, 0, 60, 160, 120)];
    const layout = annotationLayout(size, dets, 1, styleFor(size), true);
    const all = [...layout.tags, layout.legend?.panel].filter((r) => r !== undefined);
    for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) expect(overlapArea(all[i]!, all[j]!), `${i} ${j}`).toBe(0);
  });
});
