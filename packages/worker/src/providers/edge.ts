/** The edge provider: runs the manifest's models with ORT-web inside the isolate, one module per task. */
import { classifyOnEdge } from '../classify/edge';
import { detectOnEdge } from '../detect/edge';
import type { Engine } from '../engine/engine';
import { segmentOnEdge } from '../segment/edge';
import type { VisionProvider } from './types';

export function createEdgeProvider(engine: Engine): VisionProvider {
  return {
    specificationVersion: 'v1',
    tier: 'edge',
    classify: (call) => classifyOnEdge(engine, call),
    detect: (call) => detectOnEdge(engine, call),
    segment: (call) => segmentOnEdge(engine, call),
    labels: async (model) => (await engine.labels(model)).names,
  };
}
