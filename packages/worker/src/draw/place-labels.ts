/**
 * Where label tags go so that none covers another: each tag tries the spots a reader expects (above its box's
 * top-left corner, just inside it, below the box, the right-hand corners), kept inside the image, and takes the
 * first that overlaps no tag placed before it. When every spot is taken it slides down (then up) the image in
 * tag-height steps from its preferred spot; only a picture with no free row left gets the least-overlapping spot.
 * Tags are placed in the order given, so pass the best detections first: they get the natural spots.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface LabelRequest {
  /** The box the tag names, in whole pixels. */
  box: Rect;
  /** The tag's size. */
  width: number;
  height: number;
}

/** Overlap area of two rectangles (0 when they only touch). */
export function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(v, Math.max(lo, hi)));

/** The tag's candidate top-left corners, in order of preference, clamped into the image. */
function candidates({ box, width, height }: LabelRequest, image: Size): Rect[] {
  const left = box.x;
  const right = box.x + box.width - width;
  const top = box.y;
  const bottom = box.y + box.height;
  const spots: Array<[number, number]> = [
    [left, top - height], // above, left
    [left, top], // inside, top left
    [left, bottom], // below, left
    [left, bottom - height], // inside, bottom left
    [right, top - height], // above, right
    [right, top], // inside, top right
    [right, bottom], // below, right
    [right, bottom - height], // inside, bottom right
  ];
  // A spot that would leave the image above or below is dropped (shifting it would put it on another spot's place);
  // sideways it is shifted in. Should none fit (a tag taller than the room), the spots are clamped instead.
  const fits = spots.filter(([, y]) => y >= 0 && y + height <= image.height);
  return (fits.length > 0 ? fits : spots).map(([x, y]) => ({ x: clamp(x, 0, image.width - width), y: clamp(y, 0, image.height - height), width, height }));
}

/**
 * One rectangle per request, in the same order; no two overlap while the image has room for them, and none covers
 * `occupied` (what was placed before the tags, such as a legend panel) while there is room elsewhere.
 */
export function placeLabels(requests: readonly LabelRequest[], image: Size, occupied: readonly Rect[] = []): Rect[] {
  const placed: Rect[] = [...occupied];
  const free = (r: Rect) => placed.every((p) => overlapArea(p, r) === 0);
  for (const request of requests) {
    const spots = candidates(request, image);
    let spot = spots.find(free);
    if (!spot) {
      // Slide from the preferred spot, nearest rows first, alternating down and up.
      const first = spots[0] as Rect;
      const step = Math.max(1, first.height);
      for (let k = 1; !spot && (first.y + k * step <= image.height - first.height || first.y - k * step >= 0); k++) {
        for (const y of [first.y + k * step, first.y - k * step]) {
          if (y < 0 || y > image.height - first.height) continue;
          const r = { ...first, y };
          if (free(r)) {
            spot = r;
            break;
          }
        }
      }
    }
    if (!spot) {
      const cost = (r: Rect) => placed.reduce((sum, p) => sum + overlapArea(p, r), 0);
      spot = spots.reduce((best, r) => (cost(r) < cost(best) ? r : best));
    }
    placed.push(spot);
  }
  return placed.slice(occupied.length);
}
