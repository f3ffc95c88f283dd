import { defineConfig } from 'vitest/config';

export default defineConfig({
  // @cvkit/sdk resolves to its source through tsconfig.json "paths", as for tsc and wrangler.
  resolve: { tsconfigPaths: true },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/transport.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: the worker under test needs one.
    maxWorkers: 1,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
