/**
 * The published build of @cvkit/sdk: ESM + CJS + .d.ts for each entry of the exports map, plus the CLI.
 * - "."         the client: runs in browsers, Workers, Deno, Bun and Node 18+; no Node built-ins, no zod.
 * - "./node"    Node-only helpers (fromFile).
 * - "./contract" the zod schemas (zod is an optional peer dependency, kept external).
 * No code splitting: each entry is one self-contained file, so "." can never pull in a chunk shared with Node code.
 */
import { defineConfig } from 'tsup';

const common = {
  format: ['esm', 'cjs'] as ('esm' | 'cjs')[],
  target: 'es2022',
  splitting: false,
  sourcemap: false,
  treeshake: true,
  tsconfig: 'tsconfig.build.json',
  external: ['zod'],
};

export default defineConfig([
  {
    ...common,
    entry: { index: 'src/index.ts', contract: 'src/contract.ts' },
    platform: 'neutral',
    dts: true,
  },
  {
    ...common,
    entry: { node: 'src/node.ts' },
    platform: 'node',
    target: 'node18',
    removeNodeProtocol: false, // keep `node:fs/promises`: unambiguous, and every supported Node has it
    dts: true,
  },
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    target: 'node18',
    platform: 'node',
    removeNodeProtocol: false,
    splitting: false,
    tsconfig: 'tsconfig.build.json',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
