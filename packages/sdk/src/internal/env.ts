/** Reads an environment variable where the runtime has one (Node, Bun, Deno with --allow-env); never throws. */
export function readEnv(name: string): string | undefined {
  try {
    const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
    if (typeof proc !== 'undefined' && proc.env) return proc.env[name]?.trim() || undefined;
    const deno = (globalThis as { Deno?: { env?: { get?(key: string): string | undefined } } }).Deno;
    return deno?.env?.get?.(name)?.trim() || undefined;
  } catch {
    // Deno without env permission throws; a browser has neither: no environment.
    return undefined;
  }
}
