#!/usr/bin/env node
// The `cvkit` command. Installed from npm it runs the built CLI (dist/cli.js). In a fresh clone of the repo, before
// the SDK is built, it runs the TypeScript source through tsx (a dev dependency there), so `npx cvkit` works right
// after `npm install`.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli.js', import.meta.url);
const source = new URL('../src/cli.ts', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else if (existsSync(source)) {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport(source.href, import.meta.url);
} else {
  process.stderr.write('cvkit: the CLI is not built; run `npm run build -w @cvkit/sdk`.\n');
  process.exitCode = 1;
}
