/** What the app gives each task route, in its own module so that app.ts and the routes do not import each other. */
import type { TieredProvider } from '../providers/tiered';

/** `edgeFull`: admission control let this request in only to spill to the GPU tier (admission.ts). */
export type AppEnv = { Variables: { requestId: string; keyId?: string; edgeFull?: boolean } };

export interface RouteDeps {
  /** The edge provider, or the edge and the GPU tier with routing between them (providers/tiered.ts). */
  provider: TieredProvider;
  fetch: typeof fetch;
}
