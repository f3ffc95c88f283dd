/**
 * What every task route shares: reading the image and options, validating options against the contract's
 * schema, resolving the model, and timing the request.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import type { Task } from '@cvkit/sdk/contract';
import { ApiError, clip, type ErrorIssue } from '../errors';
import { type DecodeHints, type DecodedImage, decodeImage } from '../image/decode';
import { findModel, type ModelSpec } from '../models/manifest';
import type { ImageSource } from '../providers/types';
import { createTimer, type Timer } from '../timings';
import { readImageInput } from './input';

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
  const unknown = (keys: string[]) =>
    `unknown option(s): ${keys.slice(0, MAX_NAMED_KEYS).map((k) => clip(k)).join(', ')}${keys.length > MAX_NAMED_KEYS ? ` and ${keys.length - MAX_NAMED_KEYS} more` : ''}`;
  const all = result.error.issues;
  const issues: ErrorIssue[] = all.slice(0, MAX_ISSUES).map((i) => ({
    path: clip(i.path.join('.')) || '(options)',
    message: i.code === 'unrecognized_keys' ? unknown(i.keys) : clip(i.message, 200),
  }));
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
    decode(hints) {
      if (!decoded || !covers(decoded.hints, hints)) decoded = { image: decodeImage(bytes, hints), hints };
      return decoded.image;
    },
  };
}

export interface TaskRequest<O> {
  image: ImageSource;
  options: O;
  model: ModelSpec;
  timer: Timer;
}

/** Reads a task request: image, options (validated by `schema`), and the model they name. */
export async function readTaskRequest<S extends z.ZodType<{ model?: string | undefined }>>(
  c: Context,
  task: Task,
  schema: S,
  fetcher: typeof fetch,
): Promise<TaskRequest<z.output<S>>> {
  const timer = createTimer();
  const { bytes, options: raw } = await readImageInput(c.req.raw, fetcher);
  const options = parseOptions(schema, raw);
  return { image: imageSource(bytes), options, model: findModel(task, options.model), timer };
}
