/**
 * WebP decoding with libwebp (WASM, @jsquash/webp). photon traps on some corrupt WebPs and a trapped wasm call
 * never frees what it allocated; libwebp reports a bad bitstream as an error and frees its buffers. The wasm
 * module is runtime-specific to load (imported in workerd, compiled from bytes in Node), so it is passed in.
 */
import decode, { init } from '@jsquash/webp/decode.js';
import type { Pixels } from './js-decoders';

export type WebpDecoder = (bytes: Uint8Array) => Promise<Pixels>;

export function createWebpDecoder(module: WebAssembly.Module): WebpDecoder {
  let ready: Promise<void> | undefined;
  return async (bytes) => {
    // jsquash's typings omit the WebAssembly.Module its init takes (it instantiates it synchronously).
    ready ??= init(module as never);
    await ready;
    const image = await decode(bytes.slice().buffer);
    return { rgba: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength), width: image.width, height: image.height };
  };
}
