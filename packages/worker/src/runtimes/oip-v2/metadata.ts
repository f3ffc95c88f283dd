/**
 * OIP v2 model metadata (`GET /v2/models/{m}`) against what a cvkit artifact sends and expects: names, datatypes and
 * shapes, where -1 on either side is a wildcard (a dynamic dimension). Pure: returns every difference in words.
 */
import { z } from 'zod';
import type { OipDatatype } from './codec';

/** A tensor as an artifact expects it, or as the server describes it. */
export interface OipTensorSpec {
  name: string;
  datatype: OipDatatype;
  /** -1: any size. */
  shape: number[];
}

const MetadataTensor = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number().int()) });
export const ModelMetadata = z.object({
  name: z.string(),
  versions: z.array(z.string()).optional(),
  platform: z.string().optional(),
  inputs: z.array(MetadataTensor),
  outputs: z.array(MetadataTensor),
});
export type ModelMetadata = z.infer<typeof ModelMetadata>;

export const ServerMetadata = z.object({ name: z.string().optional(), version: z.string().optional(), extensions: z.array(z.string()).default([]) });
export type ServerMetadata = z.infer<typeof ServerMetadata>;

const shapeText = (shape: readonly number[]) => `[${shape.join(',')}]`;

export function shapesCompatible(expected: readonly number[], actual: readonly number[]): boolean {
  return expected.length === actual.length && expected.every((d, i) => d === -1 || actual[i] === -1 || d === actual[i]);
}

/** Every way the server's metadata differs from the artifact's tensors; empty when they fit. */
export function metadataDifferences(expected: { inputs: OipTensorSpec[]; outputs: OipTensorSpec[] }, actual: ModelMetadata): string[] {
  const differences: string[] = [];
  const compare = (side: 'input' | 'output', want: OipTensorSpec[], have: ModelMetadata['inputs']) => {
    const byName = new Map(have.map((t) => [t.name, t]));
    for (const w of want) {
      const h = byName.get(w.name);
      if (!h) {
        differences.push(`${side} '${w.name}' is missing (the server has ${have.map((t) => `'${t.name}'`).join(', ') || 'none'})`);
        continue;
      }
      if (h.datatype !== w.datatype) differences.push(`${side} '${w.name}' is ${h.datatype} on the server, cvkit ${side === 'input' ? 'sends' : 'expects'} ${w.datatype}`);
      if (!shapesCompatible(w.shape, h.shape)) differences.push(`${side} '${w.name}' has shape ${shapeText(h.shape)} on the server, cvkit ${side === 'input' ? 'sends' : 'expects'} ${shapeText(w.shape)}`);
    }
    if (side === 'input') {
      const sent = new Set(want.map((w) => w.name));
      for (const h of have) if (!sent.has(h.name)) differences.push(`the server expects input '${h.name}', which cvkit does not send`);
    }
  };
  compare('input', expected.inputs, actual.inputs);
  compare('output', expected.outputs, actual.outputs);
  return differences;
}
