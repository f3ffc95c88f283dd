/** What the app gives each task route, in its own module so that app.ts and the routes do not import each other. */
import type { TieredProvider } from '../providers/tiered';

export type AppEnv = { Variables: { requestId: string; keyId?: string } };

export interface RouteDeps {
  /** The edge provider, or the edge and the GPU tier with routing between them (providers/tiered.ts). */
  provider: TieredProvider;
  fetch: typeof fetch;
}
