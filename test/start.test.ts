/**
 * `npm start`: the port comes from PORT or from wrangler's own `--port` flag (never two of them), and an offline
 * start prints no stack trace for workers.cloudflare.com. One real start through npm on a free port. Stopped by its
 * PID with SIGTERM, as systemd or a test harness does, `npm start` (scripts/start.mjs) and `npm run gpu`
 * (scripts/gpu.mjs) stop what they started and exit only once the port is free.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { devCommand } from '../scripts/start.mjs';
// @ts-expect-error plain ESM script without types
import { alive, descendants, portFree } from '../scripts/supervise.mjs';
import { freePort, repoRoot } from './support/worker-server';

type Command = { args: string[]; env: Record<string, string> };
const command = (args: string[], env: Record<string, string> = {}) => devCommand(args, env) as Command;
const count = (args: string[], flag: string) => args.filter((a) => a === flag || a.startsWith(`${flag}=`)).length;

describe('devCommand', () => {
  it('defaults to 127.0.0.1:8787', () => {
    expect(command([]).args).toEqual(['dev', '--ip', '127.0.0.1', '--port', '8787']);
  });

  it('PORT picks the port; a --port argument wins and is the only one', () => {
    expect(command([], { PORT: '8788' }).args).toEqual(['dev', '--ip', '127.0.0.1', '--port', '8788']);
    for (const args of [['--port', '9000'], ['--port=9000']]) {
      const out = command(args, { PORT: '8788' }).args;
      expect(count(out, '--port')).toBe(1);
      expect(out.join(' ')).toContain('9000');
    }
    expect(command(['--ip', '0.0.0.0']).args.filter((a) => a === '--ip')).toHaveLength(1);
  });

  it('a PORT that is not a number is refused', () => {
    expect(() => command([], { PORT: 'eighty' })).toThrow(/PORT must be a port number/);
  });

  it('turns off the Request.cf download unless it is set', () => {
    expect(command([]).env.CLOUDFLARE_CF_FETCH_ENABLED).toBe('false');
    expect(command([], { CLOUDFLARE_CF_FETCH_ENABLED: 'true' }).env.CLOUDFLARE_CF_FETCH_ENABLED).toBe('true');
  });
});

describe('PORT=<port> npm start', () => {
  it('serves on that port, with no workers.cloudflare.com stack trace; SIGTERM to npm\'s PID stops all it started and frees the port', async () => {
    const port = await freePort();
    const inspector = await freePort();
    const { CLOUDFLARE_CF_FETCH_ENABLED: _, ...env } = process.env;
    const child = spawn('npm', ['start', '--', '--inspector-port', String(inspector), '--show-interactive-dev-session=false'], {
      cwd: repoRoot,
      env: { ...env, PORT: String(port), NO_COLOR: '1', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      let health: unknown;
      for (let i = 0; i < 360 && health === undefined && child.exitCode === null; i++) {
        health = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.json(), () => undefined);
        if (health === undefined) await new Promise((ok) => setTimeout(ok, 250));
      }
      expect(health, output).toMatchObject({ status: 'ok' });
      expect(output).toContain(`Ready on http://127.0.0.1:${port}`);
      expect(output).not.toMatch(/workers\.cloudflare\.com|ENOTFOUND/);
      // npm ends at once without passing the signal on; the launcher under it notices and stops the rest
      const { started } = await stopByPid(child);
      expect(started.length, output).toBeGreaterThanOrEqual(3); // the launcher, wrangler, workerd
      for (let i = 0; i < 240 && started.some(isAlive); i++) await new Promise((ok) => setTimeout(ok, 250));
      expect(started.filter(isAlive), output).toEqual([]);
      expect(await portFree(port)).toBe(true);
    } finally {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {}
      await new Promise((ok) => (child.exitCode !== null || child.signalCode !== null ? ok(null) : child.once('exit', ok)));
    }
  }, 180_000);
});

const isAlive = alive as (pid: number) => boolean;

/** Spawns `command ...args` as a supervisor would (its own process, not a group), until `ready` answers. */
async function launch(command: string, args: string[], env: Record<string, string>, ready: string) {
  const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env, NO_COLOR: '1', CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  let up = false;
  for (let i = 0; i < 720 && !up && child.exitCode === null; i++) {
    up = await fetch(ready).then((r) => r.ok, () => false);
    if (!up) await new Promise((ok) => setTimeout(ok, 250));
  }
  return { child, up, output: () => output };
}

/** SIGTERM to the launcher's PID only; resolves with what it had started, once it has exited. */
async function stopByPid(child: ChildProcess) {
  const started = (descendants as (pid: number) => number[])(child.pid as number);
  const exited = new Promise<number | null>((ok) => (child.exitCode !== null || child.signalCode !== null ? ok(child.exitCode) : child.once('exit', (code) => ok(code))));
  child.kill('SIGTERM');
  return { code: await exited, started };
}

describe('stopped by its PID (SIGTERM)', () => {
  it('node scripts/start.mjs: wrangler and workerd stop, it exits, the port is free', async () => {
    const port = await freePort();
    const inspector = await freePort();
    const { child, up, output } = await launch(process.execPath, ['scripts/start.mjs', '--inspector-port', String(inspector), '--show-interactive-dev-session=false'], { PORT: String(port) }, `http://127.0.0.1:${port}/health`);
    let started: number[] = [];
    try {
      expect(up, output()).toBe(true);
      const stopped = await stopByPid(child);
      started = stopped.started;
      expect(started.length, output()).toBeGreaterThanOrEqual(2); // wrangler and workerd at least
      expect(stopped.code).toBe(143); // 128 + SIGTERM
      expect(await portFree(port)).toBe(true);
      expect(started.filter(isAlive), output()).toEqual([]);
    } finally {
      for (const pid of started) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 240_000);

  it('npm run gpu -- --port <port>, SIGTERM to npm\'s PID: the OIP server stops and the port is free', async () => {
    const port = await freePort();
    const { child, up, output } = await launch('npm', ['run', 'gpu', '--', '--port', String(port)], {}, `http://127.0.0.1:${port}/v2/health/ready`);
    let started: number[] = [];
    try {
      expect(up, output()).toBe(true);
      // npm ends at once without passing the signal on; scripts/gpu.mjs under it notices and stops the server
      started = (await stopByPid(child)).started;
      expect(started.length, output()).toBeGreaterThanOrEqual(2); // the launcher and the server
      for (let i = 0; i < 240 && started.some(isAlive); i++) await new Promise((ok) => setTimeout(ok, 250));
      expect(started.filter(isAlive), output()).toEqual([]);
      expect(await portFree(port)).toBe(true);
    } finally {
      for (const pid of started) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 240_000);
});
