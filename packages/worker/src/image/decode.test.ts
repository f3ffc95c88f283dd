/** decodeImage against files crafted to make a decoder allocate far more than their header admits. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { zlibSync } from 'fflate';
import { GifReader, GifWriter } from 'omggif';
import { describe, expect, it } from 'vitest';
import '../node'; // libjpeg-turbo on, as in the worker
import { decodeImage } from './decode';
import { readHeader } from './formats';
import { gifFirstFrame } from './js-decoders';

const hotDog = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../../../../shared/fixtures/images/hot_dog.jpg')));
const u32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const chunk = (type: string, data: Uint8Array) => [...u32(data.length), ...new TextEncoder().encode(type), ...data, 0, 0, 0, 0];

describe('decodeImage refuses bombs', () => {
  it('a 1x1 PNG whose image data inflates to 64 MB is invalid_image, without inflating it all', async () => {
    const ihdr = new Uint8Array([...u32(1), ...u32(1), 8, 2, 0, 0, 0]);
    const idat = zlibSync(new Uint8Array(64 * 1024 * 1024));
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...chunk('IHDR', ihdr), ...chunk('IDAT', idat), ...chunk('IEND', new Uint8Array())]);
    expect(readHeader(png)).toEqual({ format: 'png', width: 1, height: 1 });
    await expect(decodeImage(png)).rejects.toMatchObject({ code: 'invalid_image' });
  });

  it('a GIF whose first frame is larger than its 2x2 canvas is invalid_image', async () => {
    const buf = new Uint8Array(100_000);
    const writer = new GifWriter(buf, 2, 2, { palette: [0, 0xffffff] });
    writer.addFrame(0, 0, 200, 200, new Array(200 * 200).fill(1));
    const gif = buf.subarray(0, writer.end());
    expect(readHeader(gif)).toEqual({ format: 'gif', width: 2, height: 2 });
    await expect(decodeImage(gif)).rejects.toMatchObject({ code: 'invalid_image' });
  });

  it('a GIF of 200,000 one-pixel frames decodes its first frame; the decoder never sees the others', async () => {
    const frames = 200_000;
    const buf = new Uint8Array(frames * 24 + 1000);
    const writer = new GifWriter(buf, 4, 4, { palette: [0, 0xffffff], loop: 0 });
    for (let f = 0; f < frames; f++) writer.addFrame(0, 0, 1, 1, [f & 1]);
    const gif = buf.subarray(0, writer.end());
    expect(new GifReader(gifFirstFrame(gif)).numFrames()).toBe(1);
    const decoded = await decodeImage(gif);
    expect([decoded.width, decoded.height]).toEqual([4, 4]);
  });

  it('a progressive 16 MP 4:4:4 JPEG is image_too_large from its header (its coefficients alone take 92 MiB)', async () => {
    const progressive = (width: number, height: number, sampling: number[]) => {
      const jpeg = hotDog.slice();
      let sof = 2;
      while (jpeg[sof + 1] !== 0xc0) sof += 2 + ((jpeg[sof + 2] as number) << 8) + (jpeg[sof + 3] as number);
      jpeg[sof + 1] = 0xc2;
      new DataView(jpeg.buffer).setUint16(sof + 5, height);
      new DataView(jpeg.buffer).setUint16(sof + 7, width);
      sampling.forEach((hv, k) => (jpeg[sof + 11 + 3 * k] = hv));
      return jpeg;
    };
    const big = progressive(4000, 4000, [0x11, 0x11, 0x11]);
    expect(readHeader(big)).toMatchObject({ progressive: true, coefficientBytes: 4000 * 4000 * 3 * 2 });
    await expect(decodeImage(big)).rejects.toMatchObject({ code: 'image_too_large', message: expect.stringMatching(/progressive.*92 MiB.*24 MiB/) });
    // 4:2:0 at 8 MP fits the budget: it passes the header check (and fails later only because its scan is hot_dog's)
    expect(readHeader(progressive(3264, 2448, [0x22, 0x11, 0x11]))).toMatchObject({ coefficientBytes: 3264 * 2448 * 3 });
  });

  it('a WebP whose VP8X canvas (16x16) is smaller than its bitstream (256x171) is refused by libwebp', async () => {
    const webp = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../../../test/assets/cat.webp')));
    const inner = webp.subarray(12);
    const vp8x = new Uint8Array(12 + 18 + inner.length);
    const view = new DataView(vp8x.buffer);
    vp8x.set(new TextEncoder().encode('RIFF'), 0);
    view.setUint32(4, vp8x.length - 8, true);
    vp8x.set(new TextEncoder().encode('WEBPVP8X'), 8);
    view.setUint32(16, 10, true);
    vp8x.set([15, 0, 0, 15, 0, 0], 24); // canvas 16x16 (stored minus one, 24-bit)
    vp8x.set(inner, 30);
    expect(readHeader(vp8x)).toEqual({ format: 'webp', width: 16, height: 16 });
    await expect(decodeImage(vp8x)).rejects.toMatchObject({ code: 'invalid_image' });
  });

  it('reads a JPEG frame size past standalone markers (TEM, RSTn) as libjpeg does', () => {
    const withTem = Uint8Array.from([...hotDog.subarray(0, 2), 0xff, 0x01, ...hotDog.subarray(2)]);
    expect(readHeader(withTem)).toEqual({ format: 'jpeg', width: 512, height: 384 });
  });
});

describe('decodeImage reads BMPs in JS as photon does', () => {
  it('a 24-bit BMP, pixel for pixel', async () => {
    const { PhotonImage } = await import('@cf-wasm/photon');
    const bmp = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../../../test/assets/cat.bmp')));
    const reference = PhotonImage.new_from_byteslice(bmp);
    const decoded = await decodeImage(bmp);
    expect([decoded.width, decoded.height]).toEqual([160, 107]);
    expect(Buffer.compare(Buffer.from(decoded.rgba), Buffer.from(reference.get_raw_pixels()))).toBe(0);
    reference.free();
  });
  it('a 16-bit bit-field BMP with all-ones masks decodes (it used to loop forever, hanging the isolate)', async () => {
    const bmp = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../../../test/assets/cat.bmp')));
    const view = new DataView(bmp.buffer);
    view.setUint16(28, 16, true); // bits per pixel
    view.setUint32(30, 3, true); // BI_BITFIELDS
    bmp.fill(0xff, 54, 66); // red, green and blue masks 0xFFFFFFFF
    const decoded = await decodeImage(bmp);
    expect([decoded.width, decoded.height]).toEqual([160, 107]);
  });
  it('a BMP whose pixel data is cut short is invalid_image', async () => {
    const bmp = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../../../test/assets/cat.bmp')));
    const short = bmp.slice(0, bmp.length - 5000);
    new DataView(short.buffer).setUint32(2, short.length, true); // the header's file size agrees, the rows do not
    await expect(decodeImage(short)).rejects.toMatchObject({ code: 'invalid_image' });
  });
});

describe('decodeImage accepts what cameras make', () => {
  it('a JPEG with a video appended after the image (a "motion photo")', async () => {
    const trailer = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) & 0xfe);
    const motion = Uint8Array.from([...hotDog, ...trailer]);
    const decoded = await decodeImage(motion, { minWidth: 224, minHeight: 224 });
    expect(decoded.original).toEqual({ width: 512, height: 384 });
  });
});
