/**
 * Remote services as a registry: a service that answers whole tasks for model ids of its own (Workers AI's
 * `@cf/...`) is one file exporting a `RemoteServiceKind` (providers/remote-service.ts), plus its line below. Every
 * configured service sits behind the same routing, circuit breaker and fallback as the GPU tier (providers/tiered.ts):
 * in `auto`, a failing or open service falls back to the task's default edge model, `fallback.from` naming it.
 */
import type { RemoteServiceKind } from './remote-service';
import { workersAiKind } from './workers-ai';

export const serviceKinds: readonly RemoteServiceKind[] = [workersAiKind];
