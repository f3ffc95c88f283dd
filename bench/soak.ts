/**
 * Soak: mixed good and bad requests against the real worker (wrangler dev, default admission control: 4 in flight,
 * 16 waiting) at concurrency 8, then 64, each for a fixed time: latency p50/p99, the share of 503 `overloaded`,
 * errors (anything else that is not 200 or a documented 4xx, and connection failures), and workerd's resident
 * memory before and after. Called from bench/run.ts; `tsx bench/soak.ts [--quick]` runs it alone and prints the table.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pngBomb } from '../test/support/hostile';
import { soakOverload } from './soak-overload';
import { repoRoot, startWorker, workerdRss } from '../test/support/worker-server';

type Say = (line?: string) => void;

const fixtures = process.env.CVKIT_FIXTURES ?? resolve(repoRoot, '../shared/fixtures/images');
const read = (name: string) => new Uint8Array(readFileSync(resolve(fixtures, name)));

interface Case {
  name: string;
  path: string;
  type: string;
  body: Uint8Array<ArrayBuffer> | string;
}

function cases(): Case[] {
  const jpeg = read('hot_dog.jpg');
  const png = read('bird.png');
  return [
    { name: 'classify jpeg', path: '/v1/classify', type: 'image/jpeg', body: jpeg },
    { name: 'classify png', path: '/v1/classify', type: 'image/png', body: png },
    { name: 'detect jpeg', path: '/v1/detect', type: 'image/jpeg', body: jpeg },
    { name: 'truncated jpeg', path: '/v1/classify', type: 'image/jpeg', body: jpeg.slice(0, jpeg.length >> 1) },
    { name: 'png bomb', path: '/v1/classify', type: 'image/png', body: pngBomb() },
    { name: 'not an image', path: '/v1/detect', type: 'image/png', body: new TextEncoder().encode('hello') as Uint8Array<ArrayBuffer> },
    { name: 'loopback URL', path: '/v1/classify', type: 'application/json', body: JSON.stringify({ image: 'http://127.0.0.1:1/x.png' }) },
    { name: 'bad option', path: '/v1/classify?top_k=0', type: 'image/jpeg', body: jpeg },
  ];
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};

async function phase(url: string, concurrency: number, ms: number) {
  const all = cases();
  const latencies: number[] = [];
  let n = 0;
  let ok = 0;
  let documented4xx = 0;
  let overloaded = 0;
  let errors = 0;
  const kinds = new Map<string, number>();
  const error = (kind: string) => {
    errors++;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  };
  const end = Date.now() + ms;
  const worker = async (w: number) => {
    for (let i = w; Date.now() < end; i += concurrency) {
      const c = all[i % all.length] as Case;
      const t0 = performance.now();
      try {
        const res = await fetch(`${url}${c.path}`, { method: 'POST', headers: { 'content-type': c.type, 'cache-control': 'no-cache' }, body: c.body, signal: AbortSignal.timeout(60_000) });
        const text = await res.text();
        if (res.status === 200) ok++;
        else if (res.status === 503 && text.includes('"code":"overloaded"') && res.headers.get('retry-after')) overloaded++;
        else if ([400, 413, 415, 422].includes(res.status)) documented4xx++;
        else if (res.status === 503 && text.startsWith('Your worker restarted mid-request')) error('wrangler proxy 503');
        else error(`HTTP ${res.status}`);
      } catch (err) {
        error(`no answer (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message.slice(0, 40) : (err as Error).name})`);
      }
      latencies.push(performance.now() - t0);
      n++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return { n, ok, documented4xx, overloaded, errors, kinds: [...kinds].map(([k, v]) => `${v} ${k}`).join(', '), p50: q(latencies, 50), p99: q(latencies, 99), rps: n / (ms / 1000) };
}

/** Runs the soak and writes its section through `say`. */
export async function soak(say: Say, { quick = false } = {}) {
  const seconds = quick ? 5 : 60;
  const server = await startWorker();
  try {
    // warm: models loaded before the memory baseline
    for (const c of cases().slice(0, 3)) await (await fetch(`${server.url}${c.path}`, { method: 'POST', headers: { 'content-type': c.type, 'cache-control': 'no-cache' }, body: c.body })).arrayBuffer();
    const rows: string[][] = [];
    for (const concurrency of [8, 64]) {
      const before = workerdRss(server.pid);
      const r = await phase(server.url, concurrency, seconds * 1000);
      const after = workerdRss(server.pid);
      const pct = (x: number) => `${((100 * x) / Math.max(1, r.n)).toFixed(1)}%`;
      rows.push([String(concurrency), `${seconds} s`, String(r.n), r.rps.toFixed(1), r.p50.toFixed(0), r.p99.toFixed(0), pct(r.ok), pct(r.documented4xx), pct(r.overloaded), r.errors ? `${r.errors}: ${r.kinds}` : '0', `${(before / 2 ** 20).toFixed(0)} -> ${(after / 2 ** 20).toFixed(0)}`]);
    }
    say('## Soak: mixed good and bad requests, admission control on');
    say();
    say(`${new Date().toISOString().slice(0, 10)} · wrangler dev (workerd), default admission control (4 in flight, 16 waiting) · requests cycle through ${cases().map((c) => c.name).join(', ')}.`);
    say();
    const head = ['concurrency', 'time', 'requests', 'req/s', 'p50 ms', 'p99 ms', '200', 'documented 4xx', '503 overloaded', 'errors', 'workerd RSS MiB before -> after'];
    say(`| ${head.join(' | ')} |`);
    say(`|${head.map(() => '---').join('|')}|`);
    for (const row of rows) say(`| ${row.join(' | ')} |`);
    say();
    await soakOverload(say, server.url, { quick });
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await soak((line = '') => console.log(line), { quick: process.argv.includes('--quick') });
