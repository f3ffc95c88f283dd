import { describe, expect, it } from 'vitest';
import { CVKitError } from '../errors';
import { dataUrlToBlob, dataUrlToBytes } from './data-url';

describe('dataUrlToBytes', () => {
  it('decodes base64 with its media type', () => {
    expect(dataUrlToBytes('data:image/png;base64,iVBORw0KGgo=')).toEqual({ type: 'image/png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) });
  });
  it('decodes percent-encoded data and defaults the type', () => {
    expect(dataUrlToBytes('data:,a%20b')).toEqual({ type: 'text/plain', bytes: new Uint8Array([0x61, 0x20, 0x62]) });
  });
  it('percent-decodes to bytes, not UTF-8 text: %FF is the byte 255, a stray % stays', () => {
    expect(dataUrlToBytes('data:,%FF').bytes).toEqual(new Uint8Array([0xff]));
    expect(dataUrlToBytes('data:,%e2%82%ac%4').bytes).toEqual(new Uint8Array([0xe2, 0x82, 0xac, 0x25, 0x34]));
    expect(dataUrlToBytes('data:,100%zz é').bytes).toEqual(new Uint8Array([0x31, 0x30, 0x30, 0x25, 0x7a, 0x7a, 0x20, 0xc3, 0xa9]));
  });
  it('keeps parameters out of the type', () => {
    expect(dataUrlToBytes('data:image/jpeg;name=x.jpg;base64,/9j/').type).toBe('image/jpeg');
  });
  it('refuses what is not a data: URL, or not base64', () => {
    expect(() => dataUrlToBytes('https://example.com/x.png')).toThrow(CVKitError);
    expect(() => dataUrlToBytes('data:image/png;base64,!!!')).toThrow(/base64/);
  });
});

describe('dataUrlToBlob', () => {
  it('gives a Blob of the bytes and type', async () => {
    const blob = dataUrlToBlob('data:image/png;base64,iVBORw0KGgo=');
    expect(blob.type).toBe('image/png');
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});
