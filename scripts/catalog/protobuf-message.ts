/**
 * Reading protobuf messages field by field, for the parts of onnx.proto the installer looks at (graph inputs and
 * outputs, metadata_props). Varints from the oip-server's protobuf module; everything else is skipped unread.
 */
import { readVarint } from '../../packages/oip-server/src/protobuf';

/** One field of a message: numeric (varint, fixed) as a number, length-delimited as its bytes. */
export interface ProtoField {
  field: number;
  value: number | Uint8Array;
}

/** The fields of one message, in file order (repeated fields appear once per occurrence). */
export function protoFields(b: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let at = 0;
  while (at < b.length) {
    const [key, next] = readVarint(b, at);
    at = next;
    const field = Math.floor(key / 8);
    switch (key % 8) {
      case 0: {
        const [value, after] = readVarint(b, at);
        out.push({ field, value });
        at = after;
        break;
      }
      case 1:
        out.push({ field, value: 0 });
        at += 8;
        break;
      case 5:
        out.push({ field, value: 0 });
        at += 4;
        break;
      case 2: {
        const [length, start] = readVarint(b, at);
        if (start + length > b.length) throw new Error('protobuf message is truncated');
        out.push({ field, value: b.subarray(start, start + length) });
        at = start + length;
        break;
      }
      default:
        throw new Error(`unsupported protobuf wire type ${key % 8}`);
    }
  }
  return out;
}

const text = new TextDecoder();

/** Every length-delimited occurrence of `field`. */
export const messages = (fields: readonly ProtoField[], field: number): Uint8Array[] =>
  fields.filter((f) => f.field === field && f.value instanceof Uint8Array).map((f) => f.value as Uint8Array);

export const firstString = (fields: readonly ProtoField[], field: number): string | undefined => {
  const m = messages(fields, field)[0];
  return m ? text.decode(m) : undefined;
};

export const firstNumber = (fields: readonly ProtoField[], field: number): number | undefined => {
  const f = fields.find((x) => x.field === field && typeof x.value === 'number');
  return f?.value as number | undefined;
};
