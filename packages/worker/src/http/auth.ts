/**
 * API keys: `Authorization: Bearer <key>` or `x-api-key`. Keys are configured plain or as SHA-256 hashes
 * (`sha256:<64 hex digits>`, so plain keys need not sit in config); a presented key is hashed and compared with
 * every configured hash in constant time (no early exit, no comparison of the plain strings).
 */
import type { Context } from 'hono';

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
const sha256 = async (text: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));

/** The key a request presents: a non-empty Bearer token, else `x-api-key` (an empty Bearer does not hide it). */
export function presentedKey(c: Context): string {
  const bearer = /^bearer\s+(.*)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
  return bearer || (c.req.header('x-api-key') ?? '').trim();
}

export interface KeyCheck {
  /** Whether any keys are configured (otherwise the API is open). */
  readonly enabled: boolean;
  /** The hex SHA-256 of the key when it is valid (an id for rate limiting and logs), else undefined. */
  verify(key: string): Promise<string | undefined>;
}

export function createKeyCheck(keys: string[]): KeyCheck {
  const configured = keys.map((k) => k.trim()).filter(Boolean);
  let hashes: Promise<Uint8Array[]> | undefined;
  const load = () =>
    (hashes ??= Promise.all(
      configured.map(async (k) => {
        const hashed = /^sha256:([0-9a-f]{64})$/i.exec(k)?.[1];
        return hashed ? Uint8Array.from(hashed.match(/../g) as string[], (h) => Number.parseInt(h, 16)) : sha256(k);
      }),
    ));
  return {
    enabled: configured.length > 0,
    async verify(key) {
      if (!key) return undefined;
      const digest = await sha256(key);
      let match = 0;
      for (const hash of await load()) {
        let diff = 0;
        for (let i = 0; i < 32; i++) diff |= (hash[i] as number) ^ (digest[i] as number);
        match |= diff === 0 ? 1 : 0;
      }
      return match ? hex(digest.buffer as ArrayBuffer) : undefined;
    },
  };
}
