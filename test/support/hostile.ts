/** Hostile images for hardening tests, built the way an attacker would: small files that claim huge work. */
import { deflateSync } from 'node:zlib';
import { concatBytes } from '../../packages/worker/src/image/bytes';
import { pngChunk } from '../../packages/worker/src/image/png';


let bomb: Uint8Array<ArrayBuffer> | undefined;
/**
 * The decompression bomb of issue 11: a 100x100 RGB IHDR, then one IDAT holding zlib level 9 of 300 x 1 MiB of
 * zeros (about 300 kB that inflate to 300 MiB; the header implies 30 kB).
 */
export function pngBomb(): Uint8Array<ArrayBuffer> {
  if (bomb) return bomb;
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, 100);
  new DataView(ihdr.buffer).setUint32(4, 100);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  // calloc'd zeros: deflating them touches no real memory
  const idat = new Uint8Array(deflateSync(Buffer.alloc(300 * 1024 * 1024), { level: 9 }));
  const signature = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);
  bomb = concatBytes([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0))]) as Uint8Array<ArrayBuffer>;
  return bomb;
}
