/**
 * What every task route shares: validating options against the contract's schema, the caller's image as a
 * decode-on-demand source, and the shape of a task's per-image handler, which single requests, batches
 * (serve-task.ts) and /v1/analyze (analyze.ts) all call.
 */
import type { z } from 'zod';
import { closest, type Task } from '@cvkit/sdk/contract';
import { ApiError, clip, type ErrorIssue } from '../errors';
import { type DecodeHints, type DecodedImage, decodeImage } from '../image/decode';
import type { ModelSpec } from '../models/manifest';
import type { Pipeline } from '../pipeline/types';
import type { ImageSource, TaskRunner } from '../providers/types';
import type { AnnotateAs } from './negotiate';
import type { Timer } from '../timings';

/** At most this many issues are listed, and this many unknown option names named, in an invalid_option error. */
export const MAX_ISSUES = 20;
const MAX_NAMED_KEYS = 10;

/**
 * Validates options; zod issues are reduced to path and message (they can carry the caller's input), and what is
 * echoed is bounded: names clipped, few issues (a 13 MiB option name or 100k unknown keys make a small answer).
 */
export function parseOptions<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  // "did you mean `top_k`?" as the CLI says it, for names short enough to be typos of an option.
  const known = 'shape' in schema && typeof schema.shape === 'object' && schema.shape ? Object.keys(schema.shape) : [];
  const named = (k: string) => {
    const near = k.length <= 64 ? closest(k, known) : undefined;
    return near ? `${clip(k)} (did you mean \`${near}\`?)` : clip(k);
  };
  const unknown = (keys: string[]) =>
    `unknown option(s): ${keys.slice(0, MAX_NAMED_KEYS).map(named).join(', ')}${keys.length > MAX_NAMED_KEYS ? ` and ${keys.length - MAX_NAMED_KEYS} more` : ''}`;
  const all = result.error.issues;
  const issues: ErrorIssue[] = all.slice(0, MAX_ISSUES).map((i) => {
    const key = i.path[0];
    const value = typeof key === 'string' ? raw[key] : undefined;
    // A repeated query or form option arrives as a list: say so rather than zod's "invalid input".
    const repeated = i.path.length === 1 && Array.isArray(value) && i.code !== 'too_small' && i.code !== 'too_big';
    return {
      path: clip(i.path.join('.')) || '(options)',
      message:
        i.code === 'unrecognized_keys'
          ? unknown(i.keys)
          : repeated
            ? `given ${value.length} times (or as a list); this option takes one value`
            : clip(i.message, 200),
    };
  });
  const more = all.length > MAX_ISSUES ? `; and ${all.length - MAX_ISSUES} more issues` : '';
  throw new ApiError('invalid_option', `Invalid options: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}${more}.`, issues);
}

/** The caller's bytes, decoded only when a provider asks, and again only if it then asks for more pixels. */
export function imageSource(bytes: Uint8Array): ImageSource {
  let decoded: { image: Promise<DecodedImage>; hints: DecodeHints | undefined } | undefined;
  const covers = (have: DecodeHints | undefined, want: DecodeHints | undefined) =>
    !have || (want !== undefined && have.minWidth >= want.minWidth && have.minHeight >= want.minHeight);
  return {
    bytes,
    shared: new Map(),
    decode(hints) {
      if (!decoded || !covers(decoded.hints, hints)) decoded = { image: decodeImage(bytes, hints), hints };
      return decoded.image;
    },
  };
}

/** One image's task call, as a route hands it to its handler. */
export interface TaskRun<O> {
  provider: TaskRunner;
  image: ImageSource;
  options: O;
  model: ModelSpec;
  timer: Timer;
  signal?: AbortSignal | undefined;
  /** The picture to answer with (single requests only); undefined: JSON. */
  picture: AnnotateAs | undefined;
}

/** A task's answer for one image: its JSON body (and headers for a single answer), or a picture with its headers. */
export type TaskAnswer =
  | { json: object; headers?: Record<string, string>; picture?: undefined }
  | { picture: { bytes: Uint8Array; type: string; headers: Record<string, string> }; json?: undefined };

/** Where the answer was computed, as a header: `x-cvkit-tier: edge|gpu`. */
export const tierHeader = (model: { tier: string }): Record<string, string> => ({ 'x-cvkit-tier': model.tier });

/** A task endpoint as data: its options, how it answers, and what it does with one image. */
export interface TaskHandler<O extends { model?: string | undefined } = { model?: string | undefined }> {
  task: Task;
  schema: z.ZodType<O, unknown>;
  /** The picture the options and Accept ask for; undefined: JSON. Batches and analyze pass no Accept. */
  picture(options: O, accept: string | undefined): AnnotateAs | undefined;
  /** The pixels the task needs (undefined: all the decoder allows), so analyze can decode once for every task. */
  decodeHints(options: O, model: ModelSpec): DecodeHints | undefined;
  run(call: TaskRun<O>): Promise<TaskAnswer>;
}

/** What the API description says of a task endpoint beyond its schemas (http/openapi.ts). */
export interface TaskDoc {
  summary: string;
  /** Said after the common note on image forms and batches. */
  description?: string;
  /** The JSON answer for one image, and for a batch (`{ results }`), with their schema names and examples. */
  response: { schema: z.ZodType; name: string; example: unknown };
  batch: { schema: z.ZodType; name: string; example: unknown };
  /** Picture types it can answer with. */
  pictures?: string[];
}

/**
 * A task, declared once (tasks.ts lists them): its endpoint handler (options schema, pictures, what it does with one
 * image), the pipeline that providers run for it, and its API description. Routes (`POST /v1/<task>`), batches,
 * /v1/analyze, OpenAPI and /v1/models?task= are all derived from the table.
 */
export interface TaskDefinition<O extends { model?: string | undefined } = { model?: string | undefined }> extends TaskHandler<O> {
  /** What providers run for the task's models (each task's options type: `never` here admits any). */
  pipeline: Pipeline;
  doc: TaskDoc;
}

/** Declares a task with its option type inferred from the schema (the table holds it with the options erased). */
export const defineTask = <O extends { model?: string | undefined }>(task: TaskDefinition<O>): TaskDefinition => task as unknown as TaskDefinition;
