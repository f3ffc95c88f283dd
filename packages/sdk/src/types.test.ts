/**
 * The hand-written client types (types.ts) against the zod contract (contract.ts): `tsc -p tsconfig.json` fails when
 * they drift apart (vitest runs the same assertions with `--typecheck`). Responses must be identical; options must
 * have the same names (the client sends lists as comma-separated strings, so their value types differ on purpose).
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type * as contract from './contract';
import type * as sdk from './types';

type Schemas = typeof import('./contract');
/**
 * The output (or input) type of the contract schema named `K`. The detect and segment schemas are added to the
 * contract by their own branches: until those are merged, `Fallback` (the SDK type itself) stands in and the check is
 * vacuous; from the merge on it is a real comparison, with no edit needed here.
 */
type Output<K extends string, Fallback> = K extends keyof Schemas ? (Schemas[K] extends z.ZodType ? z.output<Schemas[K]> : Fallback) : Fallback;
type Input<K extends string, Fallback> = K extends keyof Schemas ? (Schemas[K] extends z.ZodType ? z.input<Schemas[K]> : Fallback) : Fallback;

describe('client types equal the contract', () => {
  it('responses and shared shapes', () => {
    expectTypeOf<sdk.ClassifyResponse>().toEqualTypeOf<contract.ClassifyResponse>();
    expectTypeOf<sdk.ModelList>().toEqualTypeOf<contract.ModelList>();
    expectTypeOf<sdk.ModelInfo>().toEqualTypeOf<contract.ModelInfo>();
    expectTypeOf<sdk.Timings>().toEqualTypeOf<contract.Timings>();
    expectTypeOf<sdk.ErrorCode>().toEqualTypeOf<contract.ErrorCode>();
    expectTypeOf<sdk.ErrorBody>().toEqualTypeOf<contract.ErrorBody>();
    expectTypeOf<sdk.Health>().toEqualTypeOf<contract.Health>();
    expectTypeOf<sdk.Task>().toEqualTypeOf<contract.Task>();
    expectTypeOf<sdk.ModelDetail>().toEqualTypeOf<contract.ModelDetail>();
    expectTypeOf<sdk.ClassifyBatchResponse>().toEqualTypeOf<contract.ClassifyBatchResponse>();
    expectTypeOf<sdk.DetectBatchResponse>().toEqualTypeOf<contract.DetectBatchResponse>();
    expectTypeOf<sdk.SegmentBatchResponse>().toEqualTypeOf<contract.SegmentBatchResponse>();
    expectTypeOf<sdk.AnalyzeResponse>().toEqualTypeOf<contract.AnalyzeResponse>();
    expectTypeOf<sdk.MaxBatchImages>().toEqualTypeOf<typeof contract.MAX_BATCH_IMAGES>();
    expectTypeOf<sdk.EmbedResponse>().toEqualTypeOf<contract.EmbedResponse>();
    expectTypeOf<sdk.EmbedBatchResponse>().toEqualTypeOf<contract.EmbedBatchResponse>();
    expectTypeOf<sdk.SimilarityResponse>().toEqualTypeOf<contract.SimilarityResponse>();
  });

  it('detect and segment (see Output)', () => {
    expectTypeOf<sdk.DetectResponse>().toEqualTypeOf<Output<'DetectResponse', sdk.DetectResponse>>();
    expectTypeOf<sdk.Detection>().toEqualTypeOf<Output<'Detection', sdk.Detection>>();
    expectTypeOf<sdk.SegmentResponse>().toEqualTypeOf<Output<'SegmentResponse', sdk.SegmentResponse>>();
    expectTypeOf<sdk.SegmentMask>().toEqualTypeOf<Output<'SegmentMask', sdk.SegmentMask>>();
    expectTypeOf<sdk.Segment>().toEqualTypeOf<Output<'Segment', sdk.Segment>>();
  });

  it('pose', () => {
    expectTypeOf<sdk.PoseResponse>().toEqualTypeOf<contract.PoseResponse>();
    expectTypeOf<sdk.Person>().toEqualTypeOf<contract.Person>();
    expectTypeOf<sdk.KeypointName>().toEqualTypeOf<contract.KeypointName>();
    expectTypeOf<sdk.PoseBatchResponse>().toEqualTypeOf<contract.PoseBatchResponse>();
    expectTypeOf<keyof contract.PoseOptions>().toEqualTypeOf<keyof sdk.PoseOptions>();
    expectTypeOf<sdk.PoseOptions>().toExtend<contract.PoseOptions>();
  });

  it('options the client sends are options the API accepts', () => {
    expectTypeOf<sdk.ClassifyOptions>().toExtend<contract.ClassifyOptions>();
    expectTypeOf<keyof contract.ClassifyOptions>().toEqualTypeOf<keyof sdk.ClassifyOptions>();
    expectTypeOf<keyof Input<'DetectOptions', sdk.DetectOptions>>().toEqualTypeOf<keyof sdk.DetectOptions>();
    expectTypeOf<keyof Input<'SegmentOptions', sdk.SegmentOptions>>().toEqualTypeOf<keyof sdk.SegmentOptions>();
    expectTypeOf<keyof contract.AnalyzeOptions>().toEqualTypeOf<keyof sdk.AnalyzeOptions>();
    expectTypeOf<keyof contract.ModelsQuery>().toEqualTypeOf<keyof sdk.ModelsQuery>();
    expectTypeOf<sdk.EmbedOptions>().toExtend<contract.EmbedOptions>();
    expectTypeOf<keyof contract.EmbedOptions>().toEqualTypeOf<keyof sdk.EmbedOptions>();
    expectTypeOf<keyof contract.SimilarityOptions>().toEqualTypeOf<keyof sdk.SimilarityOptions>();
    type TaskOptions = Exclude<contract.AnalyzeTasks, readonly unknown[] | string>;
    expectTypeOf<keyof sdk.AnalyzeTaskOptions>().toEqualTypeOf<keyof TaskOptions>();
    expectTypeOf<keyof NonNullable<sdk.AnalyzeTaskOptions['detect']>>().toEqualTypeOf<Exclude<keyof NonNullable<TaskOptions['detect']>, 'format'>>();
    expectTypeOf<keyof NonNullable<sdk.AnalyzeTaskOptions['segment']>>().toEqualTypeOf<Exclude<keyof NonNullable<TaskOptions['segment']>, 'format'>>();
    expectTypeOf<keyof NonNullable<sdk.AnalyzeTaskOptions['pose']>>().toEqualTypeOf<Exclude<keyof NonNullable<TaskOptions['pose']>, 'format'>>();
  });
});
