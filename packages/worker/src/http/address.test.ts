import { describe, expect, it } from 'vitest';
import { createUrlPolicy, isPublicIp, parseIPv4, parseIPv6, parseIp } from './address';

const v4 = (s: string) => Array.from(parseIPv4(s) ?? []);

describe('parseIPv4 reads every numeric spelling', () => {
  it.each([
    ['127.0.0.1', [127, 0, 0, 1]],
    ['2130706433', [127, 0, 0, 1]],
    ['0x7f000001', [127, 0, 0, 1]],
    ['0x7f.1', [127, 0, 0, 1]],
    ['127.1', [127, 0, 0, 1]],
    ['0177.0.0.1', [127, 0, 0, 1]],
    ['017700000001', [127, 0, 0, 1]],
    ['169.254.43518', [169, 254, 169, 254]],
    ['0', [0, 0, 0, 0]],
    ['10.0.0.1.', [10, 0, 0, 1]],
  ])('%s', (text, bytes) => expect(v4(text)).toEqual(bytes));
  it.each(['256.0.0.1', '1.2.3.4.5', '4294967296', 'example.com', '09.1.1.1', ''])('not %s', (text) => {
    expect(parseIPv4(text)).toBeUndefined();
  });
});

describe('parseIPv6', () => {
  it('reads compressed, bracketed, zoned and dotted-tail forms', () => {
    expect(Array.from(parseIPv6('[::1]') ?? [])).toEqual([...new Array(15).fill(0), 1]);
    expect(Array.from(parseIPv6('::ffff:127.0.0.1') ?? []).slice(10)).toEqual([255, 255, 127, 0, 0, 1]);
    expect(Array.from(parseIPv6('fe80::1%eth0') ?? []).slice(0, 2)).toEqual([0xfe, 0x80]);
    expect(parseIPv6('1:2:3:4:5:6:7:8')).toBeDefined();
  });
  it.each(['1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', 'g::1', '::1.2.3', 'example.com'])('not %s', (text) => {
    expect(parseIPv6(text)).toBeUndefined();
  });
});

describe('isPublicIp', () => {
  it.each([
    '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '100.127.255.255',
    '169.254.169.254', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::', '::1', 'fe80::1', 'fc00::1', 'fd12:3456::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::127.0.0.1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::', 'ff02::1', '2001:db8::1',
    // IPv4 inside IPv6: translated (::ffff:0:0:0/96), compatible (::/96), NAT64 and local-use NAT64, 6to4, Teredo
    '::ffff:0:a9fe:a9fe', '::ffff:0:127.0.0.1', '::a00:1', '::169.254.169.254', '64:ff9b::7f00:1', '64:ff9b:1::c0a8:101',
    '2002:c0a8:101::1', '2002:a9fe:a9fe::', '2001:0:4136:e378:8000:63bf:3fff:fdd2',
  ])('%s is not public', (ip) => expect(isPublicIp(parseIp(ip) as Uint8Array)).toBe(false));
  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '::ffff:0:808:808', '2002:808:808::1'])(
    '%s is public',
    (ip) => expect(isPublicIp(parseIp(ip) as Uint8Array)).toBe(true),
  );
});

describe('createUrlPolicy', () => {
  const open = createUrlPolicy();
  const refused = (policy: ReturnType<typeof createUrlPolicy>, url: string) => policy.refuse(new URL(url));

  it('refuses loopback, private and metadata targets in every spelling the URL parser accepts', () => {
    for (const url of [
      'http://127.0.0.1:8789/health', 'http://localhost/', 'http://LOCALHOST./', 'http://api.localhost/', 'http://0.0.0.0/',
      'http://2130706433/', 'http://0x7f.1/', 'http://127.1/', 'http://0177.0.0.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/',
      'http://[0:0:0:0:0:ffff:7f00:1]/', 'http://169.254.169.254/latest/meta-data/', 'http://[fd00::1]/', 'http://10.0.0.1/',
      'http://100.64.1.1/', 'http://192.168.0.10/', 'http://metadata.google.internal/', 'http://intranet/', 'http://printer.local/',
      'http://user:pw@example.com/', 'http://[::ffff:0:a9fe:a9fe]/', 'http://[::ffff:0:169.254.169.254]/', 'http://[::a9fe:a9fe]/',
      'http://[64:ff9b::a9fe:a9fe]/', 'http://[2002:a9fe:a9fe::1]/', 'http://[::ffff:0:7f00:1]/', 'http://[0:0:0:0:ffff:0:a00:1]/',
    ]) {
      expect(refused(open, url), url).toBeTypeOf('string');
    }
  });
  it('lets public hosts through', () => {
    expect(refused(open, 'https://upload.wikimedia.org/x.jpg')).toBeUndefined();
    expect(refused(open, 'http://93.184.215.14/')).toBeUndefined();
  });
  it('https only', () => {
    const policy = createUrlPolicy({ httpsOnly: true });
    expect(refused(policy, 'http://example.com/')).toMatch(/https/);
    expect(refused(policy, 'https://example.com/')).toBeUndefined();
  });
  it('an allowlist admits only its hosts, and private ranges only when it names them', () => {
    const policy = createUrlPolicy({ allow: ['images.example.com', '*.cdn.example.net', '127.0.0.1', '10.1.0.0/16'] });
    expect(refused(policy, 'https://images.example.com/a.jpg')).toBeUndefined();
    expect(refused(policy, 'https://a.cdn.example.net/a.jpg')).toBeUndefined();
    expect(refused(policy, 'https://example.org/a.jpg')).toMatch(/allowlist/);
    expect(refused(policy, 'http://127.0.0.1:8080/a.jpg')).toBeUndefined();
    expect(refused(policy, 'http://2130706433/a.jpg')).toBeUndefined(); // the same address
    expect(refused(policy, 'http://127.0.0.2/a.jpg')).toMatch(/not public/);
    expect(refused(policy, 'http://10.1.2.3/a.jpg')).toBeUndefined();
    expect(policy.refuseAddress('images.example.com', '10.9.9.9')).toMatch(/not public/);
    expect(policy.refuseAddress('images.example.com', '93.184.215.14')).toBeUndefined();
  });
  it('a denylist wins', () => {
    const policy = createUrlPolicy({ allow: ['*.example.com'], deny: ['secret.example.com', '93.184.0.0/16'] });
    expect(refused(policy, 'https://secret.example.com/')).toMatch(/denylist/);
    expect(policy.refuseAddress('www.example.com', '93.184.215.14')).toMatch(/denylist/);
    expect(policy.refuseAddress('www.example.com', '::ffff:93.184.215.14')).toMatch(/denylist/);
  });
  it('checks resolved addresses (Node): a public name that resolves to loopback is refused', () => {
    expect(open.refuseAddress('rebind.example.com', '127.0.0.1')).toMatch(/not public/);
    expect(open.refuseAddress('rebind.example.com', '::ffff:169.254.169.254')).toMatch(/not public/);
    expect(open.refuseAddress('www.example.com', '93.184.215.14')).toBeUndefined();
  });
});
