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
  if (!base64) return { type, bytes: new TextEncoder().encode(decodeURIComponent(data)) as Uint8Array<ArrayBuffer> };
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

/** A `data:` URL as a Blob of its media type, ready for `URL.createObjectURL`, `<img>`, a file or an upload. */
export function dataUrlToBlob(url: string): Blob {
  const { type, bytes } = decodeDataUrl(url);
  return new Blob([bytes], { type });
}
