/**
 * For tests of the published form of @cvkit/sdk: its folder, a build that runs only when the sources changed,
 * and the CLI run as a child process.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from './worker-server';

export const sdkDir = resolve(repoRoot, 'packages/sdk');
export const distDir = resolve(sdkDir, 'dist');
export const cliPath = resolve(distDir, 'cli.js');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Builds packages/sdk/dist with tsup unless it is newer than every source and config file. */
export function ensureSdkBuilt(): void {
  const outputs = ['index.js', 'index.cjs', 'index.d.ts', 'node.js', 'contract.js', 'cli.js'].map((f) => resolve(distDir, f));
  const sources = ['src', 'tsup.config.ts', 'tsconfig.build.json', 'package.json'].map((f) => newestMtime(resolve(sdkDir, f)));
  if (outputs.every(existsSync) && Math.min(...outputs.map((f) => statSync(f).mtimeMs)) > Math.max(...sources)) return;
  execFileSync('npm', ['run', 'build', '-w', '@cvkit/sdk'], { cwd: repoRoot, stdio: 'pipe' });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cvkit <args>` (the built CLI) with node; `input` goes to its stdin. */
export function runCli(args: string[], { env = {}, input, cwd }: { env?: Record<string, string>; input?: Uint8Array; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((ok) => {
    const child = execFile(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env, CVKIT_BASE_URL: '', CVKIT_API_KEY: '', ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      ok({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    if (input) child.stdin?.end(input);
    else child.stdin?.end();
  });
}
