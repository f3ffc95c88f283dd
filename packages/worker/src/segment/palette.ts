/**
 * The standard PASCAL VOC colour palette (VOCdevkit's labelcolormap, the seed's decode_segmap): class i's colour
 * spreads the bits of i over R, G and B from the most significant bit down, so 0 is black, 1 (aeroplane) dark red
 * (128,0,0), 15 (person) (192,128,128) and 255 (VOC's "void") (224,224,192). Viewers of VOC masks know these colours.
 */

/** RGB of class `index` (0..255). */
export function vocColor(index: number): [number, number, number] {
  let r = 0;
  let g = 0;
  let b = 0;
  let c = index;
  for (let bit = 7; bit >= 0 && c > 0; bit--) {
    r |= (c & 1) << bit;
    g |= ((c >> 1) & 1) << bit;
    b |= ((c >> 2) & 1) << bit;
    c >>= 3;
  }
  return [r, g, b];
}

/** The palette as packed RGB triples for classes 0..count-1 (the layout of a PNG PLTE chunk). */
export function vocPalette(count = 256): Uint8Array {
  const out = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) out.set(vocColor(i), i * 3);
  return out;
}

/** CSS hex of class `index`, e.g. "#808000" for bird. */
export function vocHex(index: number): string {
  return `#${vocColor(index).map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}
