/**
 * Soak, offered load: classify of one JPEG sent open loop (arrivals on a fixed schedule, whatever the answers) at 1x,
 * 4x and 16x the isolate's measured capacity. Goodput (200s a second), the latency of the 200s and of the refusals
 * (503 `overloaded`), and anything else, side by side: overload should shed (goodput near capacity, refusals in
 * milliseconds) instead of degrading. Called from bench/soak.ts; `tsx bench/soak-overload.ts [--quick]` runs it alone.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot, startWorker } from '../test/support/worker-server';

type Say = (line?: string) => void;

const fixtures = process.env.CVKIT_FIXTURES ?? resolve(repoRoot, '../shared/fixtures/images');
const jpeg = () => new Uint8Array(readFileSync(resolve(fixtures, 'hot_dog.jpg')));

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};

/** The default MAX_IN_FLIGHT: capacity is measured with that many clients back to back. */
const IN_FLIGHT = 4;
/** The most requests open at once: beyond it an arrival counts as not sent (the load generator's own bound). */
const MAX_OPEN = 1024;

async function classify(url: string, body: Uint8Array<ArrayBuffer>) {
  const t0 = performance.now();
  try {
    const res = await fetch(`${url}/v1/classify?top_k=1`, { method: 'POST', headers: { 'content-type': 'image/jpeg', 'cache-control': 'no-cache' }, body, signal: AbortSignal.timeout(120_000) });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json');
    const kind =
      res.status === 200 ? 'ok'
      : res.status === 503 && text.includes('"code":"overloaded"') && res.headers.get('retry-after') ? 'refused'
      : `HTTP ${res.status} ${json ? (/"code":"(\w+)"/.exec(text)?.[1] ?? 'JSON') : `"${text.slice(0, 32)}"`}`;
    return { kind, ms: performance.now() - t0 };
  } catch {
    return { kind: 'no answer', ms: performance.now() - t0 };
  }
}

/** 200s a second that `clients` clients get sending back to back: the isolate's capacity with that many in flight. */
async function capacity(url: string, body: Uint8Array<ArrayBuffer>, clients: number, ms: number) {
  const t0 = performance.now();
  let n = 0;
  const client = async () => {
    while (performance.now() - t0 < ms) if ((await classify(url, body)).kind === 'ok') n++;
  };
  await Promise.all(Array.from({ length: clients }, client));
  return n / ((performance.now() - t0) / 1000);
}

async function offer(url: string, body: Uint8Array<ArrayBuffer>, rate: number, ms: number) {
  const answers: Array<Promise<{ kind: string; ms: number }>> = [];
  let open = 0;
  let unsent = 0;
  const t0 = performance.now();
  for (let i = 0; ; i++) {
    const at = t0 + (i * 1000) / rate;
    if (at - t0 >= ms) break;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
    if (open >= MAX_OPEN) {
      unsent++;
      continue;
    }
    open++;
    answers.push(classify(url, body).finally(() => open--));
  }
  const done = await Promise.all(answers);
  const seconds = ms / 1000;
  const of = (kind: string) => done.filter((a) => a.kind === kind).map((a) => a.ms);
  const ok = of('ok');
  const refused = of('refused');
  const other = new Map<string, number>();
  for (const a of done) if (a.kind !== 'ok' && a.kind !== 'refused') other.set(a.kind, (other.get(a.kind) ?? 0) + 1);
  return { sent: done.length, unsent, goodput: ok.length / seconds, ok, refused, other: [...other].map(([k, v]) => `${v} ${k}`).join(', ') };
}

/** Runs the offered-load soak against `url` and writes its section through `say`. */
export async function soakOverload(say: Say, url: string, { quick = false } = {}) {
  const body = jpeg() as Uint8Array<ArrayBuffer>;
  for (let i = 0; i < 3; i++) await classify(url, body); // warm: the model loaded
  const cap = await capacity(url, body, IN_FLIGHT, quick ? 3_000 : 15_000);
  const seconds = quick ? 5 : 30;
  const rows: string[][] = [];
  for (const factor of [1, 4, 16]) {
    const r = await offer(url, body, factor * cap, seconds * 1000);
    const ms = (xs: number[], p: number) => (xs.length ? q(xs, p).toFixed(0) : '-');
    rows.push([
      `${factor}x (${(factor * cap).toFixed(1)}/s)`, String(r.sent + r.unsent), r.goodput.toFixed(1), `${((100 * r.goodput) / cap).toFixed(0)}%`,
      ms(r.ok, 50), ms(r.ok, 99), String(r.refused.length), ms(r.refused, 50), ms(r.refused, 99), [r.other, r.unsent ? `${r.unsent} not sent` : ''].filter(Boolean).join(', ') || '0',
    ]);
  }
  say('## Soak: offered load against capacity');
  say();
  say(`${new Date().toISOString().slice(0, 10)} · wrangler dev (workerd), default admission control · classify of hot_dog.jpg, arrivals on a fixed schedule for ${seconds} s each · capacity (${IN_FLIGHT} clients back to back, as many as are worked on at once): ${cap.toFixed(1)} requests/s.`);
  say();
  const head = ['offered', 'requests', 'goodput /s', 'of capacity', '200 p50 ms', '200 p99 ms', '503 overloaded', '503 p50 ms', '503 p99 ms', 'other'];
  say(`| ${head.join(' | ')} |`);
  say(`|${head.map(() => '---').join('|')}|`);
  for (const row of rows) say(`| ${row.join(' | ')} |`);
  say();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startWorker();
  try {
    await soakOverload((line = '') => console.log(line), server.url, { quick: process.argv.includes('--quick') });
  } finally {
    await server.stop();
  }
}
