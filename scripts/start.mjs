#!/usr/bin/env node
/**
 * `npm start`: wrangler dev on http://127.0.0.1:8787, passing the GPU tier's settings from the environment as vars
 * (wrangler dev does not read process.env by itself):
 *   GPU_URL=http://127.0.0.1:8000 npm start          # with `npm run gpu` in another terminal
 * Extra arguments go to wrangler: `npm start -- --port 9000`.
 */
import { spawn } from 'node:child_process';

const extra = process.argv.slice(2);
const args = ['wrangler', 'dev'];
if (!extra.includes('--ip')) args.push('--ip', '127.0.0.1');
if (!extra.includes('--port')) args.push('--port', '8787');
for (const name of ['GPU_URL', 'GPU_API_KEY', 'GPU_TIMEOUT_MS']) {
  const value = process.env[name];
  if (value !== undefined && value !== '') args.push('--var', `${name}:${value}`);
}
args.push(...extra);
const child = spawn('npx', args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
