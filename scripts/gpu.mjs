#!/usr/bin/env node
/**
 * `npm run gpu`: installs the model pack, generates the OIP model repository (gpu-repo/), then runs the reference
 * OIP v2 server; arguments go to the server (`npm run gpu -- --port 8001`, see packages/oip-server/src/main.ts).
 * Each step runs as a plain `node` child (TypeScript through tsx's loader, no tsx or npm process in between), so a
 * SIGTERM/SIGINT to this process reaches the step running now, and once the server runs, this exits only when the
 * server has stopped and its port is free (supervise.mjs). systemd or a test harness can stop it by its PID.
 */
import { fileURLToPath } from 'node:url';
import { flagValue, supervise } from './supervise.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = import.meta.resolve('tsx');
const ts = (file) => ['--import', tsx, `${root}${file}`];

const args = process.argv.slice(2);
const steps = [
  [`${root}scripts/install-models.mjs`],
  [`${root}scripts/litert-glue.mjs`],
  ts('packages/oip-server/src/generate-repo.ts'),
];
for (const step of steps) {
  const code = await supervise(process.execPath, step);
  if (code !== 0) process.exit(code);
}
const port = Number(flagValue(args, '--port') ?? '8000');
const host = flagValue(args, '--host') ?? '127.0.0.1';
process.exit(await supervise(process.execPath, [...ts('packages/oip-server/src/main.ts'), ...args], { port, host }));
