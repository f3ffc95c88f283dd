/** `data:` URLs, as the API returns masks and annotated images inside JSON, to bytes and Blobs (no Buffer needed). */
import { CVKitError } from '../errors';

/** The bytes and media type of a `data:` URL (base64 or percent-encoded). */
export function dataUrlToBytes(url: string): { type: string; bytes: Uint8Array } {
  return decodeDataUrl(url);
}

// Typed over ArrayBuffer for Blob parts; the public signature stays plain Uint8Array for TypeScript < 5.7 users.
function decodeDataUrl(url: string): { type: string; bytes: Uint8Array<ArrayBuffer> } {
  const match = /^data:([^,]*?),/i.exec(url);
  if (!match) throw new CVKitError('Not a data: URL (expected "data:<type>;base64,<data>").');
  const meta = match[1] ?? '';
  const data = url.slice(match[0].length);
  const base64 = /;base64$/i.test(meta);
  const type = (base64 ? meta.slice(0, -7) : meta).split(';')[0] || 'text/plain';
  if (!base64) return { type, bytes: percentDecode(data) };
  let binary: string;
  try {
    binary = atob(data.replace(/\s+/g, ''));
  } catch {
    throw new CVKitError('The data: URL is not valid base64.');
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return { type, bytes };
}

/**
 * Percent-decoding to bytes, as the fetch spec decodes a data: URL's body: `%FF` is the byte 0xFF (not UTF-8 text,
 * so no URIError), a `%` not followed by two hex digits stays as it is, other characters are their UTF-8 bytes.
 */
function percentDecode(data: string): Uint8Array<ArrayBuffer> {
  const utf8 = new TextEncoder().encode(data);
  const out = new Uint8Array(utf8.length);
  let n = 0;
  for (let i = 0; i < utf8.length; i++) {
    const byte = utf8[i] as number;
    const hex = byte === 0x25 && i + 2 < utf8.length ? String.fromCharCode(utf8[i + 1] as number, utf8[i + 2] as number) : '';
    if (/^[\da-f]{2}$/i.test(hex)) {
      out[n++] = Number.parseInt(hex, 16);
      i += 2;
    } else {
      out[n++] = byte;
    }
  }
  return out.slice(0, n);
}

/** A `data:` URL as a Blob of its media type, ready for `URL.createObjectURL`, `<img>`, a file or an upload. */
export function dataUrlToBlob(url: string): Blob {
  const { type, bytes } = decodeDataUrl(url);
  return new Blob([bytes], { type });
}
