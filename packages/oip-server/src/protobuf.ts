/** The protobuf wire format's varints, for the small ONNX edits here and in bench/ (onnx.proto is protobuf). */

/** Reads the varint at `at`: [value, the offset after it]. */
export function readVarint(b: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = b[at++];
    if (byte === undefined) throw new Error('ONNX file ends inside a varint');
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, at];
    scale *= 128;
  }
}

export function writeVarint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}
