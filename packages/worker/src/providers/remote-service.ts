/** What a remote service is (providers/services.ts lists the kinds): its models, provider, breaker and deadline. */
import type { Tier } from '@cvkit/sdk/contract';
import type { ModelSpec } from '../models/manifest';
import { createBreaker } from './breaker';
import type { ModelFiles } from './pipeline';
import type { GpuTierState } from './routing';
import type { VisionProvider } from './types';

/** A configured remote service of this isolate. */
export interface RemoteService {
  /** Its name in messages ("Workers AI"). */
  readonly name: string;
  /** The tier its answers report (`model.tier`, `fallback.from`). */
  readonly tier: Tier;
  /** Model ids it owns start with this. */
  readonly prefix: string;
  /** Its models, in the manifest's shape (no artifacts: it runs them itself). */
  readonly models: readonly ModelSpec[];
  readonly provider: VisionProvider;
  /** Its breaker and last failure. */
  readonly state: GpuTierState;
  /** Time for one call, ms; with a fallback, `edgeReserveMs` of it is kept for the edge. */
  readonly timeoutMs: number;
  readonly edgeReserveMs: number;
}

/** A kind of remote service: how a worker's environment configures one, and what to say when it is not. */
export interface RemoteServiceKind {
  readonly prefix: string;
  readonly tier: Tier;
  /** What a request for one of its models is told when the service is not configured. */
  readonly setup: string;
  /** The service from the worker's bindings and vars, or undefined when they do not configure it. */
  create(env: Readonly<Record<string, unknown>>, files: ModelFiles): RemoteService | undefined;
}

/** A configured service's common parts: breaker, deadline and its share for the edge. */
export function remoteService(parts: Pick<RemoteService, 'name' | 'tier' | 'prefix' | 'models' | 'provider'> & { timeoutMs?: number; now?: () => number }): RemoteService {
  const timeoutMs = parts.timeoutMs ?? 10_000;
  return {
    name: parts.name,
    tier: parts.tier,
    prefix: parts.prefix,
    models: parts.models,
    provider: parts.provider,
    state: { breaker: createBreaker({ now: parts.now }) },
    timeoutMs,
    edgeReserveMs: Math.min(2000, Math.floor(timeoutMs / 2)),
  };
}
