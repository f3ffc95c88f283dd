/** Text on an RGBA picture and its encoding: photon renders the glyphs (Roboto) and encodes PNG or JPEG. */
import { PhotonImage, Rgba, draw_text_with_color } from '@cf-wasm/photon';
import type { Color } from './legend';

export interface TextRun {
  text: string;
  /** Top-left of the text's box. */
  x: number;
  y: number;
  color: Color;
}

/** Draws `texts` at `fontSize` onto a copy of `rgba` in photon's memory and encodes it; `rgba` is not changed. */
export function renderPicture(rgba: Uint8Array, size: { width: number; height: number }, texts: readonly TextRun[], fontSize: number, type: 'image/png' | 'image/jpeg'): Uint8Array {
  const photon = new PhotonImage(rgba, size.width, size.height);
  try {
    // photon puts the glyphs' tops about 0.15 font sizes below y and their descenders at about 0.95
    const dy = Math.round(fontSize * 0.1);
    for (const t of texts) draw_text_with_color(photon, t.text, t.x, t.y + dy, fontSize, new Rgba(t.color[0], t.color[1], t.color[2], 255));
    return type === 'image/png' ? photon.get_bytes() : photon.get_bytes_jpeg(90);
  } finally {
    photon.free();
  }
}
