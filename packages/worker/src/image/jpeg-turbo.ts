/**
 * JPEG decoding at reduced scale with libjpeg-turbo (WASM, via @cwasm/jpeg-turbo's build of the TurboJPEG API).
 * libjpeg scales in the DCT domain (1/8 .. 8/8), so a 12-megapixel phone photo bound for a 224x224 model is
 * decoded straight to 500x375: a fraction of the time and memory of decoding every pixel and shrinking after.
 * The wasm module is runtime-specific to load (imported in workerd, compiled from bytes in Node), so it is passed in.
 */

const TJPF_RGBA = 7;
/** An instance whose memory grew past this (a big progressive JPEG) is dropped after use, so the memory is freed. */
const KEEP_INSTANCE_BYTES = 32 * 1024 * 1024;

interface TurboExports {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(ptr: number): void;
  tjInitDecompress(): number;
  tjDestroy(handle: number): number;
  tjDecompressHeader3(handle: number, src: number, size: number, w: number, h: number, subsamp: number, colorspace: number): number;
  tjDecompress2(handle: number, src: number, size: number, dst: number, w: number, pitch: number, h: number, format: number, flags: number): number;
}

export interface ScaledJpeg {
  rgba: Uint8Array;
  width: number;
  height: number;
}

export interface JpegDecoder {
  /**
   * Decodes at `eighths`/8 of the stored size (1..8). 'cmyk': a CMYK/YCCK JPEG, which TurboJPEG cannot turn into
   * RGB (callers may use another decoder); 'corrupt': libjpeg failed on the data, or found a frame of another size
   * than `size` (what the caller checked against its limits: a crafted file could hide a second frame header).
   */
  decode(bytes: Uint8Array, eighths: number, size: { width: number; height: number }): ScaledJpeg | 'cmyk' | 'corrupt';
}

/** TurboJPEG colour spaces (TJCS_CMYK, TJCS_YCCK). */
const CMYK_SPACES = new Set([3, 4]);

/** The size libjpeg produces at `eighths`/8 scale: it rounds up. */
export const scaledSize = (size: number, eighths: number) => Math.ceil((size * eighths) / 8);

/**
 * The smallest scale (in eighths) at which a `width` x `height` JPEG is still at least `minWidth` x `minHeight`
 * and, if possible, at most `maxPixels`; 8 (full size) when nothing smaller is big enough.
 */
export function chooseEighths(width: number, height: number, minWidth: number, minHeight: number): number {
  for (let n = 1; n < 8; n++) {
    if (scaledSize(width, n) >= minWidth && scaledSize(height, n) >= minHeight) return n;
  }
  return 8;
}

export function createJpegDecoder(module: WebAssembly.Module): JpegDecoder {
  const fail = () => {
    throw new Error('libjpeg error');
  };
  const imports = {
    // libjpeg reports fatal errors by longjmp: throwing unwinds the wasm stack, after which the instance's heap
    // may hold leaked buffers, so the instance is dropped and a fresh one made (see `decode`).
    env: { setjmp: () => 0, longjmp: fail },
    wasi_snapshot_preview1: { proc_exit: fail, environ_sizes_get: () => 0, environ_get: fail, fd_close: fail, fd_seek: fail, fd_write: fail },
  };
  let turbo: TurboExports | undefined;

  return {
    decode(bytes, eighths, size) {
      turbo ??= new WebAssembly.Instance(module, imports).exports as unknown as TurboExports;
      const t = turbo;
      const handle = t.tjInitDecompress();
      const src = t.malloc(bytes.byteLength);
      const meta = t.malloc(16);
      let dst = 0;
      try {
        if (!handle || !src || !meta) return 'corrupt';
        new Uint8Array(t.memory.buffer, src, bytes.byteLength).set(bytes);
        if (t.tjDecompressHeader3(handle, src, bytes.byteLength, meta, meta + 4, meta + 8, meta + 12) !== 0) return 'corrupt';
        const [w = 0, h = 0, , colorspace = 0] = new Int32Array(t.memory.buffer, meta, 4);
        if (w !== size.width || h !== size.height) return 'corrupt';
        if (CMYK_SPACES.has(colorspace)) return 'cmyk';
        const width = scaledSize(w, eighths);
        const height = scaledSize(h, eighths);
        dst = t.malloc(width * height * 4);
        if (!dst) return 'corrupt';
        if (t.tjDecompress2(handle, src, bytes.byteLength, dst, width, width * 4, height, TJPF_RGBA, 0) !== 0) return 'corrupt';
        return { rgba: new Uint8Array(t.memory.buffer, dst, width * height * 4).slice(), width, height };
      } catch {
        turbo = undefined; // see imports: never reuse an instance that trapped
        return 'corrupt';
      } finally {
        if (turbo) {
          if (dst) t.free(dst);
          t.free(meta);
          t.free(src);
          if (handle) t.tjDestroy(handle);
          if (t.memory.buffer.byteLength > KEEP_INSTANCE_BYTES) turbo = undefined;
        }
      }
    },
  };
}
