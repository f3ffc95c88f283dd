/** Images as data: URLs, for JSON responses (annotated images, masks). */

/** Base64 in 32 KiB slices: String.fromCharCode over a whole multi-MB image would overflow the argument limit. */
export function toDataUrl(bytes: Uint8Array, mime: string): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:${mime};base64,${btoa(binary)}`;
}
