/**
 * `npm start`: the port comes from PORT or from wrangler's own `--port` flag (never two of them), and an offline
 * start prints no stack trace for workers.cloudflare.com. One real start through npm on a free port.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { devCommand } from '../scripts/start.mjs';
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
  it('serves on that port, with no workers.cloudflare.com stack trace', async () => {
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
    } finally {
      try {
        process.kill(-(child.pid as number), 'SIGTERM');
      } catch {}
      await new Promise((ok) => (child.exitCode !== null ? ok(null) : child.once('exit', ok)));
    }
  }, 120_000);
});
