/** What the app gives each task route, in its own module so that app.ts and the routes do not import each other. */
import type { VisionProvider } from '../providers/types';

export type AppEnv = { Variables: { requestId: string; keyId?: string } };

export interface RouteDeps {
  provider: VisionProvider;
  fetch: typeof fetch;
}
