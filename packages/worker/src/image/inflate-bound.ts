/**
 * Bounded zlib inflation for decoders whose data is deflated (PNG's IDAT). A few hundred kB of deflated zeros can
 * claim gigabytes, and an inflater handed a whole chunk inflates all of it before anyone can count: so the input
 * goes in small steps, each step can produce at most ~1 MiB (deflate's ratio is at most ~1032:1), and inflation
 * stops as soon as the output passes the limit.
 */
import { Unzlib } from 'fflate';

/** Compressed bytes pushed per step: bounds the output of one step to about 1 MiB. */
export const INFLATE_STEP_BYTES = 1024;

class OverLimit extends Error {}

/**
 * Inflates the zlib stream split over `pieces` without keeping the output, and says whether it stays within
 * `limit` bytes. `onOutput` sees the size of every block the inflater produces (tests use it to show the bound).
 */
export function zlibFitsWithin(pieces: Iterable<Uint8Array>, limit: number, onOutput?: (bytes: number) => void): boolean {
  let total = 0;
  const inflater = new Unzlib((block) => {
    onOutput?.(block.length);
    total += block.length;
    if (total > limit) throw new OverLimit();
  });
  try {
    for (const piece of pieces) {
      for (let at = 0; at < piece.length; at += INFLATE_STEP_BYTES) inflater.push(piece.subarray(at, at + INFLATE_STEP_BYTES));
    }
  } catch (err) {
    if (err instanceof OverLimit) return false;
    throw err; // a corrupt stream: the caller's decoder reports it
  }
  return true;
}
