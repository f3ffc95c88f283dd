/**
 * Which image URLs the worker may fetch. By default only public internet addresses: loopback, private (RFC 1918),
 * CGNAT, link-local (cloud metadata at 169.254.169.254), unique-local, unspecified, multicast and documentation
 * ranges are refused, as are IPv4 addresses inside IPv6 (mapped, translated, compatible, NAT64, 6to4) that fall in them, in every numeric
 * spelling (2130706433, 0x7f.1, 127.1, 0177.0.0.1). Names that only resolve inside a network (localhost,
 * *.internal, single labels) are refused before any lookup; where the runtime can resolve names (Node), the
 * resolved addresses are checked too (node-fetch.ts). Operators add an allowlist (only these hosts, and private
 * ranges they name explicitly), a denylist, and https-only.
 */

/** An address as bytes: 4 for IPv4, 16 for IPv6. */
export type IpBytes = Uint8Array;

/**
 * Parses an IPv4 address in any form the WHATWG URL parser (and inet_aton) accepts: 1 to 4 parts, each decimal,
 * hex (0x) or octal (leading 0), the last part filling the remaining bytes. Undefined when it is not one.
 */
export function parseIPv4(text: string): IpBytes | undefined {
  const parts = text.split('.');
  if (parts.at(-1) === '') parts.pop(); // a trailing dot
  if (parts.length === 0 || parts.length > 4) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) value = Number.parseInt(part.slice(1), 8);
    else if (/^(0|[1-9]\d*)$/.test(part)) value = Number(part);
    else return undefined;
    values.push(value);
  }
  const last = values.pop() as number;
  if (values.some((v) => v > 255) || last >= 256 ** (4 - values.length)) return undefined;
  const out = new Uint8Array(4);
  values.forEach((v, i) => (out[i] = v));
  for (let i = 3, rest = last; i >= values.length; i--, rest = Math.floor(rest / 256)) out[i] = rest % 256;
  return out;
}

/** Parses an IPv6 address (brackets and a zone id allowed, an embedded dotted IPv4 tail too). */
export function parseIPv6(text: string): IpBytes | undefined {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  s = s.split('%')[0] ?? '';
  if (!s.includes(':')) return undefined;
  const out = new Uint8Array(16);
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const words: number[] = [];
    const pieces = half.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(piece) ? parseIPv4(piece) : undefined;
        if (!v4) return undefined;
        words.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        words.push(Number.parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return words;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) return undefined;
  const words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 255;
  });
  return out;
}

/** An IP address from a URL host or a resolver's answer; undefined for a name. */
export function parseIp(host: string): IpBytes | undefined {
  return parseIPv6(host) ?? parseIPv4(host);
}

export interface Cidr {
  bytes: IpBytes;
  prefix: number;
}

function inCidr(ip: IpBytes, { bytes, prefix }: Cidr): boolean {
  if (ip.length !== bytes.length) return false;
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 0x80 >> bit % 8;
    if (((ip[bit >> 3] as number) & mask) !== ((bytes[bit >> 3] as number) & mask)) return false;
  }
  return true;
}

/** `10.0.0.0/8`, `fd00::/8`, or a single address. */
export function parseCidr(text: string): Cidr | undefined {
  const [address = '', bits] = text.split('/');
  const bytes = parseIp(address);
  if (!bytes) return undefined;
  const prefix = bits === undefined ? bytes.length * 8 : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bytes.length * 8) return undefined;
  return { bytes, prefix };
}

const cidrs = (list: string[]) => list.map((c) => parseCidr(c) as Cidr);

/** Not the public internet (IANA special-purpose registries, the non-global entries). */
const SPECIAL_V4 = cidrs([
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4',
]);
const SPECIAL_V6 = cidrs(['::/128', '::1/128', '100::/64', '2001::/23', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8']);
/** IPv6 ranges that carry an IPv4 address: the embedded address decides. */
const EMBEDDED_V4: Array<[Cidr, number]> = [
  [parseCidr('::ffff:0:0/96') as Cidr, 12], // IPv4-mapped
  [parseCidr('::ffff:0:0:0/96') as Cidr, 12], // IPv4-translated (SIIT, RFC 2765): ::ffff:0:a9fe:a9fe
  [parseCidr('::/96') as Cidr, 12], // IPv4-compatible (deprecated)
  [parseCidr('64:ff9b::/96') as Cidr, 12], // NAT64
  [parseCidr('64:ff9b:1::/48') as Cidr, 12], // local-use NAT64
  [parseCidr('2002::/16') as Cidr, 2], // 6to4
];

/** The IPv4 address an IPv6 address stands for, if it is one of the embedding ranges. */
export function embeddedIPv4(ip: IpBytes): IpBytes | undefined {
  if (ip.length !== 16) return undefined;
  for (const [range, at] of EMBEDDED_V4) if (inCidr(ip, range)) return ip.slice(at, at + 4);
  return undefined;
}

/** Whether an address is on the public internet (not loopback, private, link-local, ...). */
export function isPublicIp(ip: IpBytes): boolean {
  const v4 = ip.length === 4 ? ip : embeddedIPv4(ip);
  if (v4) return !SPECIAL_V4.some((c) => inCidr(v4, c));
  return !SPECIAL_V6.some((c) => inCidr(ip, c));
}

/** Names that resolve only inside a network (or to loopback), refused without a lookup. */
function isInternalName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return !name.includes('.') || /(^|\.)(localhost|local|localdomain|internal|intranet|lan|home|corp|home\.arpa|test|invalid)$/.test(name);
}

export interface ImageUrlOptions {
  /**
   * Only these hosts: names (`images.example.com`, `*.example.com` for subdomains), addresses or CIDR ranges
   * (`10.1.2.0/24`). Addresses and ranges listed here are allowed even when private. Empty: any public host.
   */
  allow?: string[];
  /** Never these hosts (same forms as `allow`); wins over `allow`. */
  deny?: string[];
  /** Refuse plain http:// image URLs (and redirects to them). */
  httpsOnly?: boolean;
}

export interface UrlPolicy {
  /** Why this URL may not be fetched (for the log), or undefined when it may be, as far as its text tells. */
  refuse(url: URL): string | undefined;
  /** Why a resolved address of `host` may not be connected to, or undefined when it may. */
  refuseAddress(host: string, address: string): string | undefined;
}

interface Rules {
  names: string[];
  suffixes: string[];
  ranges: Cidr[];
}

function rules(list: string[] = []): Rules {
  const out: Rules = { names: [], suffixes: [], ranges: [] };
  for (const raw of list.map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    const range = parseCidr(raw);
    if (range) out.ranges.push(range);
    else if (raw.startsWith('*.') || raw.startsWith('.')) out.suffixes.push(raw.slice(raw.indexOf('.')));
    else out.names.push(raw);
  }
  return out;
}

const nameMatches = (r: Rules, host: string) => r.names.includes(host) || r.suffixes.some((s) => host.endsWith(s));
const addressMatches = (r: Rules, ip: IpBytes) => {
  const v4 = embeddedIPv4(ip);
  return r.ranges.some((c) => inCidr(ip, c) || (v4 !== undefined && inCidr(v4, c)));
};

/** Builds the policy from operator settings. @example createUrlPolicy({ allow: ['*.example.com'], httpsOnly: true }) */
export function createUrlPolicy({ allow = [], deny = [], httpsOnly = false }: ImageUrlOptions = {}): UrlPolicy {
  const allowed = rules(allow);
  const denied = rules(deny);
  const allowAll = allowed.names.length + allowed.suffixes.length + allowed.ranges.length === 0;

  const checkAddress = (host: string, ip: IpBytes, named: boolean): string | undefined => {
    if (addressMatches(denied, ip)) return 'the address is on the denylist';
    if (addressMatches(allowed, ip)) return undefined;
    if (!isPublicIp(ip)) return 'the address is not public';
    if (!allowAll && !(named && nameMatches(allowed, host))) return 'the host is not on the allowlist';
    return undefined;
  };

  return {
    refuse(url) {
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return `scheme ${url.protocol}`;
      if (httpsOnly && url.protocol !== 'https:') return 'plain http is off (https only)';
      if (url.username || url.password) return 'credentials in the URL';
      const host = url.hostname.toLowerCase();
      const ip = parseIp(host);
      if (ip) return checkAddress(host, ip, false);
      if (nameMatches(denied, host)) return 'the host is on the denylist';
      if (nameMatches(allowed, host)) return undefined;
      if (isInternalName(host)) return 'the name is internal';
      if (!allowAll) return 'the host is not on the allowlist';
      return undefined;
    },
    refuseAddress(host, address) {
      const ip = parseIp(address);
      if (!ip) return 'the resolver answered no address';
      return checkAddress(host.toLowerCase(), ip, true);
    },
  };
}
