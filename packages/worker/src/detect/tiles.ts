/**
 * Sliced inference for small objects (the SAHI idea): the photo is cut into overlapping tiles of the model's input
 * size, each tile is detected at full resolution, and the tiles' boxes, moved back into the photo, are merged with
 * the whole image's by NMS. A kite of 20 px in a 1352 px photo is 6 px at a 416 px input; in a tile it stays 20 px.
 */
import type { Box } from './boxes';

export interface Tile {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Share of a tile's side that overlaps its neighbour: an object cut by one tile's edge is whole in the next. */
export const TILE_OVERLAP = 0.2;

/** Starts of tiles of `size` covering `length` with at least `overlap` between neighbours; the last ends at the edge. */
function starts(length: number, size: number, overlap: number): number[] {
  if (length <= size) return [0];
  const count = Math.ceil((length - size) / (size * (1 - overlap))) + 1;
  const step = (length - size) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * step));
}

/**
 * The tiles of a `width` x `height` image, row by row, each `tileWidth` x `tileHeight` (smaller only when the
 * image is). An image no larger than one tile gets no tiles: the whole-image pass already sees it at full size.
 */
export function tileGrid(width: number, height: number, tileWidth: number, tileHeight: number, overlap = TILE_OVERLAP): Tile[] {
  if (width <= tileWidth && height <= tileHeight) return [];
  const w = Math.min(tileWidth, width);
  const h = Math.min(tileHeight, height);
  return starts(height, h, overlap).flatMap((y) => starts(width, w, overlap).map((x) => ({ x, y, width: w, height: h })));
}

/** The tile's pixels out of a row-major RGBA image. */
export function cropRGBA(rgba: Uint8Array, imageWidth: number, tile: Tile): Uint8Array {
  const out = new Uint8Array(tile.width * tile.height * 4);
  for (let row = 0; row < tile.height; row++) {
    const from = ((tile.y + row) * imageWidth + tile.x) * 4;
    out.set(rgba.subarray(from, from + tile.width * 4), row * tile.width * 4);
  }
  return out;
}

/** A box in a tile's pixels, moved into the image's and scaled by `scale` (image pixels per decoded pixel). */
export const fromTile = (box: Box, tile: Pick<Tile, 'x' | 'y'>, scale = 1): Box => ({
  x1: (box.x1 + tile.x) * scale,
  y1: (box.y1 + tile.y) * scale,
  x2: (box.x2 + tile.x) * scale,
  y2: (box.y2 + tile.y) * scale,
});
