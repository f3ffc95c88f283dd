/**
 * The pose picture: each person's skeleton drawn on the photo at its decoded size. Limbs are thick lines in the
 * colour of their side (the subject's left, right, or the centre for edges across the body and the face), joints
 * are dots with a dark rim so that they read on any background; keypoints scoring below the floor and every
 * limb touching one are left out. Optionally a legend of the three colours. Photon encodes (draw/render.ts).
 */
import { type Keypoint, POSE_EDGES, type Person } from '@cvkit/sdk/contract';
import type { Size } from '../detect/boxes';
import type { AnnotatedType, Color } from './annotate';
import { styleFor } from './annotate';
import { legendLayout, paintLegend } from './legend';
import type { Rect } from './place-labels';
import { renderPicture, type TextRun } from './render';

export type Side = 'left' | 'right' | 'centre';

/** Orange for the subject's left, blue for the right, green for the centre (distinct for colour-blind readers too). */
export const SIDE_COLORS: Record<Side, Color> = { left: [255, 140, 0], right: [0, 150, 255], centre: [60, 200, 90] };

const RIM: Color = [20, 20, 20];

export const keypointSide = (name: string): Side => (name.startsWith('left_') ? 'left' : name.startsWith('right_') ? 'right' : 'centre');

/** An edge is on one side when both its ends are; else it crosses the centre. */
export function edgeSide(a: string, b: string): Side {
  const [sa, sb] = [keypointSide(a), keypointSide(b)];
  return sa === sb ? sa : 'centre';
}

/** Line width and joint radius for an image: they grow with the image, like detect's box outlines. */
export function skeletonStyle(size: Size): { lineWidth: number; radius: number; fontSize: number } {
  const { fontSize, lineWidth } = styleFor(size);
  return { lineWidth: Math.max(2, lineWidth), radius: Math.max(3, Math.round(lineWidth * 1.5)), fontSize };
}

/** Paints every pixel within `halfWidth` of the segment (x0,y0)-(x1,y1), clipped to the image. */
export function strokeSegment(rgba: Uint8Array, { width, height }: Size, x0: number, y0: number, x1: number, y1: number, halfWidth: number, [r, g, b]: Color): void {
  const minX = Math.max(0, Math.floor(Math.min(x0, x1) - halfWidth));
  const maxX = Math.min(width - 1, Math.ceil(Math.max(x0, x1) + halfWidth));
  const minY = Math.max(0, Math.floor(Math.min(y0, y1) - halfWidth));
  const maxY = Math.min(height - 1, Math.ceil(Math.max(y0, y1) + halfWidth));
  const dx = x1 - x0;
  const dy = y1 - y0;
  const length2 = dx * dx + dy * dy;
  const limit = halfWidth * halfWidth;
  for (let y = minY; y <= maxY; y++) {
    for (let x = minX; x <= maxX; x++) {
      // Distance from the pixel centre to the nearest point of the segment.
      const px = x + 0.5 - x0;
      const py = y + 0.5 - y0;
      const t = length2 > 0 ? Math.min(1, Math.max(0, (px * dx + py * dy) / length2)) : 0;
      const ex = px - t * dx;
      const ey = py - t * dy;
      if (ex * ex + ey * ey <= limit) {
        const i = (y * width + x) * 4;
        rgba[i] = r;
        rgba[i + 1] = g;
        rgba[i + 2] = b;
        rgba[i + 3] = 255;
      }
    }
  }
}

/** A filled disc: a segment of length zero. */
export const fillDisc = (rgba: Uint8Array, size: Size, x: number, y: number, radius: number, color: Color) => strokeSegment(rgba, size, x, y, x, y, radius, color);

export interface SkeletonOptions {
  /** Keypoints scoring below this are not drawn, nor the limbs that touch them. */
  minKeypointScore: number;
  legend?: boolean | undefined;
}

/** Draws the people's skeletons (coordinates in the original image's pixels) onto a copy of `rgba` and encodes it. */
export function drawSkeletons(
  image: Size & { rgba: Uint8Array; original?: Size },
  people: readonly Person[],
  type: AnnotatedType,
  { minKeypointScore, legend = false }: SkeletonOptions,
): Uint8Array {
  const size = { width: image.width, height: image.height };
  const scale = image.original ? image.width / image.original.width : 1;
  const style = skeletonStyle(size);
  const pixels = new Uint8Array(image.rgba);
  const at = (k: Keypoint) => [k.x * scale, k.y * scale] as const;
  // Worst first, so the best person's skeleton is on top.
  for (const person of [...people].reverse()) {
    const seen = (k: Keypoint | undefined): k is Keypoint => k !== undefined && k.score >= minKeypointScore;
    for (const [a, b] of POSE_EDGES) {
      const [p, q] = [person.keypoints[a], person.keypoints[b]];
      if (!seen(p) || !seen(q)) continue;
      strokeSegment(pixels, size, ...at(p), ...at(q), style.lineWidth / 2, SIDE_COLORS[edgeSide(p.name, q.name)]);
    }
    for (const k of person.keypoints) {
      if (!seen(k)) continue;
      fillDisc(pixels, size, ...at(k), style.radius + 1, RIM);
      fillDisc(pixels, size, ...at(k), style.radius, SIDE_COLORS[keypointSide(k.name)]);
    }
  }
  const runs: TextRun[] = [];
  if (legend && people.length > 0) {
    const avoid: Rect[] = people.map(({ box }) => ({
      x: Math.floor(box.x1 * scale),
      y: Math.floor(box.y1 * scale),
      width: Math.ceil((box.x2 - box.x1) * scale),
      height: Math.ceil((box.y2 - box.y1) * scale),
    }));
    const entries = (['left', 'right', 'centre'] as const).map((side) => ({ text: side, color: SIDE_COLORS[side] }));
    const layout = legendLayout(entries, style.fontSize, size, avoid);
    if (layout) {
      paintLegend(pixels, size, layout);
      for (const row of layout.rows) runs.push({ text: row.text, x: row.x, y: row.y, color: [255, 255, 255] });
    }
  }
  return renderPicture(pixels, size, runs, style.fontSize, type);
}
