/**
 * Starts the real worker under wrangler dev (workerd), exactly as `npm start` does, on a free loopback port.
 * Used by vitest's global setup and by the SDK and example tests that need a live server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

export interface WorkerServer {
  url: string;
  stop(): Promise<void>;
  /** Everything wrangler printed so far, for failure messages. */
  log(): string;
  /** The process group wrangler runs in (workerd is in it). */
  pid: number;
}

/** Resident memory (bytes) of the workerd processes started under `rootPid`, read from /proc (Linux). */
export function workerdRss(rootPid: number): number {
  const parent = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
      parent.set(Number(entry), Number(stat.slice(close + 2).split(' ')[1]));
    } catch {}
  }
  const under = (pid: number): boolean => pid === rootPid || (pid > 1 && under(parent.get(pid) ?? 0));
  let rss = 0;
  for (const [pid, name] of names) {
    if (!name.startsWith('workerd') || !under(pid)) continue;
    try {
      rss += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {}
  }
  return rss;
}

/**
 * wrangler dev without its devtools proxy. wrangler 4.86's InspectorProxyWorker sends one HTTP request to the
 * wrangler process for every devtools event of the worker, and the worker's reads of model files from the assets
 * binding are thousands of `Network.dataReceived` events each: under model churn (the budget tests load and
 * release all ten models) that became thousands of loopback connections a second, until sockets ran out, the dev
 * proxy lost requests ("Your worker restarted mid-request") and requests hung for minutes. wrangler leaves the
 * devtools proxy out when it runs in VS Code's JavaScript debug terminal, which it detects by this variable; nothing
 * else changes (workerd, the dev proxy and the bundle are the same). NODE_OPTIONS is cleared so that the variable is
 * never mistaken for a debugger to attach (wrangler then reads a `--require "..."` bootloader from it).
 * `npm start` keeps the devtools proxy: a person may want devtools, and serves far fewer model loads.
 */
export const NO_DEVTOOLS_PROXY = { VSCODE_INSPECTOR_OPTIONS: 'cvkit-tests-no-devtools', NODE_OPTIONS: '' };

export interface StartWorkerOptions {
  /** Extra `--var NAME:value` bindings (e.g. API_KEYS). */
  vars?: Record<string, string>;
  /** Another wrangler config, relative to the repo root (the benchmark worker). */
  config?: string;
  timeoutMs?: number;
}

export async function startWorker({ vars = {}, config, timeoutMs = 90_000 }: StartWorkerOptions = {}): Promise<WorkerServer> {
  const port = await freePort();
  const args = ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort()), '--show-interactive-dev-session=false'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  if (config) args.push('--config', config);
  const child: ChildProcess = spawn('npx', args, {
    cwd: repoRoot,
    env: { ...process.env, ...NO_DEVTOOLS_PROXY, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: 'true', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // The last 256 KiB of what wrangler printed: enough for a failure message, bounded however much it prints.
  let output = '';
  const keep = (d: Buffer) => {
    output += d;
    if (output.length > 512 * 1024) output = output.slice(-256 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((ok) => child.once('exit', ok));
    try {
      process.kill(-(child.pid as number), 'SIGTERM');
    } catch {}
    await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {}
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/health`);
      // Any HTTP answer means workerd is serving (the benchmark worker has no /health).
      if (res.ok || config) return { url, stop, log: () => output, pid: child.pid as number };
    } catch {}
    await new Promise((ok) => setTimeout(ok, 250));
  }
  await stop();
  throw new Error(`wrangler dev did not answer on ${url} within ${timeoutMs} ms:\n${output}`);
}
