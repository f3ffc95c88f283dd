import { describe, expect, it } from 'vitest';
import { legendLayout, MIN_LEGEND_SHARE, paintLegend, shareText } from './legend';
import { overlapArea } from './place-labels';
import { segmentLegend } from './segmentation';

const image = { width: 400, height: 300 };
const entries = [
  { text: 'dog (2)', color: [255, 0, 0] as const },
  { text: 'cat (1)', color: [0, 255, 0] as const },
];

describe('legendLayout', () => {
  it('nothing to list: no legend', () => {
    expect(legendLayout([], 16, image)).toBeUndefined();
  });

  it('one row per entry, in the top-right corner when nothing is in the way', () => {
    const layout = legendLayout(entries, 16, image);
    expect(layout?.rows.map((r) => r.text)).toEqual(['dog (2)', 'cat (1)']);
    expect(layout?.panel.x! + layout?.panel.width!).toBeLessThanOrEqual(image.width);
    expect(layout?.panel.y).toBeLessThan(10);
    expect(layout?.panel.x).toBeGreaterThan(image.width / 2);
  });

  it('moves to the corner that covers the least of what was found', () => {
    const topRight = { x: 200, y: 0, width: 200, height: 150 };
    const layout = legendLayout(entries, 16, image, [topRight]);
    expect(overlapArea(layout!.panel, topRight)).toBe(0);
  });

  it('more classes than rows fit: the last row sums up the rest', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ text: `class${i}`, color: [i, i, i] as const }));
    const layout = legendLayout(many, 16, { width: 300, height: 120 })!;
    expect(layout.panel.height).toBeLessThanOrEqual(120);
    expect(layout.rows.at(-1)?.text).toMatch(/^\+\d+ more$/);
  });

  it('paints the swatch colours and darkens the panel', () => {
    const rgba = new Uint8Array(image.width * image.height * 4).fill(200);
    const layout = legendLayout(entries, 16, image)!;
    paintLegend(rgba, image, layout);
    const at = (x: number, y: number) => Array.from(rgba.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 3));
    const sw = layout.rows[0]!.swatch;
    expect(at(sw.x + 1, sw.y + 1)).toEqual([255, 0, 0]);
    expect(at(layout.panel.x + 1, layout.panel.y + 1)).toEqual([70, 70, 70]);
    expect(at(0, image.height - 1)).toEqual([200, 200, 200]);
  });
});

describe('shares in legends', () => {
  const seg = (label: string, index: number, fraction: number) => ({ label, index, pixels: 0, fraction, box: { x1: 0, y1: 0, x2: 1, y2: 1 }, color: '#000' });

  it('one rounding rule (whole percent); background and specks under MIN_LEGEND_SHARE are left out', () => {
    expect(shareText(0.012)).toBe('1%');
    expect(shareText(0.4449)).toBe('44%');
    expect(MIN_LEGEND_SHARE).toBe(0.005);
    // pets.jpg: a 74-pixel "horse" speck (0.03% of 512x430) used to be listed as "horse 1%"
    const shown = segmentLegend([seg('background', 0, 0.55), seg('dog', 12, 0.4449), seg('cat', 8, 0.005), seg('horse', 13, 74 / (512 * 430))]);
    expect(shown.map((e) => e.text)).toEqual(['dog 44%', 'cat 1%']);
  });
});
