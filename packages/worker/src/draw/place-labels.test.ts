import { describe, expect, it } from 'vitest';
import { overlapArea, placeLabels, type Rect } from './place-labels';

const image = { width: 400, height: 300 };
const inside = (r: Rect) => r.x >= 0 && r.y >= 0 && r.x + r.width <= image.width && r.y + r.height <= image.height;

describe('placeLabels', () => {
  it('puts a lone tag above its box, left-aligned', () => {
    expect(placeLabels([{ box: { x: 50, y: 100, width: 80, height: 60 }, width: 70, height: 20 }], image)).toEqual([{ x: 50, y: 80, width: 70, height: 20 }]);
  });

  it('goes inside the box when there is no room above', () => {
    expect(placeLabels([{ box: { x: 10, y: 5, width: 80, height: 60 }, width: 70, height: 20 }], image)).toEqual([{ x: 10, y: 5, width: 70, height: 20 }]);
  });

  it('two tags on the same box (the "forkO.5223" case) do not overlap', () => {
    const box = { x: 100, y: 100, width: 60, height: 40 };
    const [a, b] = placeLabels([{ box, width: 60, height: 20 }, { box, width: 66, height: 20 }], image) as [Rect, Rect];
    expect(overlapArea(a, b)).toBe(0);
    expect(a).toEqual({ x: 100, y: 80, width: 60, height: 20 });
  });

  it('many nearly identical boxes: no two tags overlap, all stay in the image', () => {
    const requests = Array.from({ length: 12 }, (_, i) => ({ box: { x: 150 + (i % 3), y: 120 + (i % 2), width: 50, height: 40 }, width: 90, height: 18 }));
    const tags = placeLabels(requests, image);
    expect(tags.every(inside)).toBe(true);
    for (let i = 0; i < tags.length; i++) for (let j = i + 1; j < tags.length; j++) expect(overlapArea(tags[i] as Rect, tags[j] as Rect), `${i} vs ${j}`).toBe(0);
  });

  it('a tag wider than the space right of its box is shifted into the image', () => {
    const [tag] = placeLabels([{ box: { x: 380, y: 100, width: 20, height: 20 }, width: 60, height: 20 }], image);
    expect(tag).toEqual({ x: 340, y: 80, width: 60, height: 20 });
  });

  it('with no free row left, still returns a spot (the least covered)', () => {
    const tiny = { width: 40, height: 20 };
    const tags = placeLabels([{ box: { x: 0, y: 0, width: 40, height: 20 }, width: 40, height: 20 }, { box: { x: 0, y: 0, width: 40, height: 20 }, width: 40, height: 20 }], tiny);
    expect(tags).toHaveLength(2);
  });
});

describe('placeLabels around occupied space', () => {
  it('keeps tags off a rectangle placed before them, and returns only the tags', () => {
    const legend = { x: 0, y: 0, width: 60, height: 30 };
    const tags = placeLabels([{ box: { x: 10, y: 5, width: 100, height: 100 }, width: 40, height: 16 }], { width: 128, height: 128 }, [legend]);
    expect(tags).toHaveLength(1);
    expect(overlapArea(tags[0]!, legend)).toBe(0);
  });
});
