#!/usr/bin/env node
/**
 * `npm start`: the worker under `wrangler dev` on 127.0.0.1, port 8787 unless told otherwise.
 *
 *   npm start                       # http://127.0.0.1:8787
 *   PORT=8788 npm start             # another port
 *   npm start -- --port 8788        # the same, as wrangler's own flag (no second --port is added)
 *   npm start -- --var API_KEYS:k1  # any other wrangler dev flag passes through
 *
 * The GPU tier's settings come from the environment as vars (wrangler dev does not read process.env by itself):
 *   GPU_URL=http://127.0.0.1:8000 npm start   # with `npm run gpu` in another terminal
 *
 * Offline, wrangler would try to download the `Request.cf` placeholder from workers.cloudflare.com at every start
 * and print a stack trace when it cannot: CLOUDFLARE_CF_FETCH_ENABLED=false (unless you set it) keeps its built-in
 * placeholder instead. A plain Node script rather than shell syntax in package.json, so it works in every shell.
 * SIGTERM/SIGINT to this process stops wrangler and workerd, and it exits once the port is free (supervise.mjs).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { flagValue, supervise } from './supervise.mjs';

const DEFAULT_PORT = '8787';
const DEFAULT_IP = '127.0.0.1';

const has = (args, flag) => args.some((a) => a === flag || a.startsWith(`${flag}=`));

/** The `wrangler dev` arguments and environment for this script's arguments and environment. Pure, for tests. */
export function devCommand(args, env) {
  const port = env.PORT?.trim();
  if (port !== undefined && port !== '' && !/^\d{1,5}$/.test(port)) throw new Error(`PORT must be a port number, not '${env.PORT}'.`);
  const out = ['dev'];
  if (!has(args, '--ip')) out.push('--ip', DEFAULT_IP);
  if (!has(args, '--port')) out.push('--port', port || DEFAULT_PORT);
  for (const name of ['GPU_URL', 'GPU_API_KEY', 'GPU_TIMEOUT_MS']) {
    const value = env[name];
    if (value !== undefined && value !== '') out.push('--var', `${name}:${value}`);
  }
  out.push(...args);
  return { args: out, env: { CLOUDFLARE_CF_FETCH_ENABLED: 'false', ...env } };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let command;
  try {
    command = devCommand(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`start: ${err.message}`);
    process.exit(2);
  }
  const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
  // Stopped by its PID (systemd, a test harness) or Ctrl-C: wrangler and its workerd stop too, and this exits only
  // once the port is free.
  const port = Number(flagValue(command.args, '--port'));
  const host = flagValue(command.args, '--ip');
  const code = await supervise(process.execPath, [wrangler, ...command.args], { env: command.env, port, host: host === 'localhost' ? '127.0.0.1' : host });
  process.exit(code);
}
