/**
 * Corrupt uploads must not leak decoder memory: a trapped wasm call never frees what it allocated, and wasm memory
 * never shrinks, so a decoder that traps on bad input would let callers fill the isolate. Runs in its own module
 * graph so that photon's wasm instance is created (and its memory watched) here.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

const instances: WebAssembly.Instance[] = [];
const { Instance } = WebAssembly;
WebAssembly.Instance = new Proxy(Instance, {
  construct(target, args: [WebAssembly.Module, WebAssembly.Imports?]) {
    const instance = new target(...args);
    instances.push(instance);
    return instance;
  },
});
const { decodeImage } = await import('./decode');
await import('../node'); // turns on libjpeg-turbo as the worker does

const wasmBytes = () =>
  instances.reduce((sum, i) => sum + ((Object.values(i.exports).find((e) => e instanceof WebAssembly.Memory) as WebAssembly.Memory | undefined)?.buffer.byteLength ?? 0), 0);
const read = (p: string) => new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../../..', p)));
const scramble = (b: Uint8Array, from: number, to: number) => {
  const c = b.slice();
  for (let i = from; i < to; i++) c[i] = (i * 7919) & 255;
  return c;
};

it('corrupt PNGs, GIFs, JPEGs, WebPs and BMPs are 422 invalid_image, and leave the decoders memory where it was', async () => {
  const png = read('../shared/fixtures/images/grace_hopper.png');
  const gif = read('test/assets/cat.gif');
  const jpeg = read('../shared/fixtures/images/parrot.jpg');
  const webp = read('test/assets/cat.webp');
  const bmp = read('test/assets/cat.bmp');
  const bmpBadDepth = bmp.slice();
  bmpBadDepth[28] = 12; // 12 bits per pixel: no such BMP
  const bad = [scramble(png, 200, 5000), scramble(png, 100_000, 120_000), scramble(gif, 800, 4000), scramble(jpeg, 20, 600), scramble(webp, 30, 200), bmpBadDepth];
  for (const good of [png, jpeg, gif, webp, bmp]) await decodeImage(good); // warm every decoder up to its steady size
  const before = wasmBytes();
  for (let round = 0; round < 30; round++) {
    for (const b of bad) await expect(decodeImage(b)).rejects.toMatchObject({ code: 'invalid_image' });
  }
  expect(wasmBytes()).toBe(before);
  expect((await decodeImage(png)).width).toBe(512);
});
