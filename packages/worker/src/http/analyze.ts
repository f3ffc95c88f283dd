/**
 * POST /v1/analyze: one image, several tasks. The image is read and decoded once, at the largest size any task
 * needs, and each task runs on it with its own options; the answer holds each task's usual response, or its error,
 * under the task's name. Problems with the image itself (unreadable, too large) fail the request; a bad option or
 * an unknown model fails only its task.
 *
 * Options: `tasks` as a list (`["classify","detect"]`, `classify,detect`, or repeated) or an object of per-task
 * options (`{"classify": {"top_k": 3}}`; in a query string or form, either as a JSON string); per-task options may also come
 * as `<task>.<option>` keys (`detect.threshold=0.3`), the form that suits query strings and multipart fields.
 */
import type { Context, Hono } from 'hono';
import { type AnalyzeResponse, Task } from '@cvkit/sdk/contract';
import type { AppEnv, RouteDeps } from './deps';
import { ApiError, errorBody } from '../errors';
import type { DecodeHints } from '../image/decode';
import type { ModelSpec } from '../models/manifest';
import { createTimer } from '../timings';
import { readImages } from './images';
import { providerFor } from './serve-task';
import { type TaskHandler, imageSource, parseOptions } from './task';

type Plan = Map<Task, Record<string, unknown>>;

const invalid = (path: string, message: string) => new ApiError('invalid_option', `Invalid options: ${path}: ${message}.`, [{ path, message }]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which tasks to run with which raw options, from the request's options. Throws invalid_option for a bad plan. */
export function analyzePlan(raw: Record<string, unknown>): Plan {
  const dotted = new Map<Task, Record<string, unknown>>();
  let tasks: unknown;
  for (const [key, value] of Object.entries(raw)) {
    const [head = '', ...rest] = key.split('.');
    if (key === 'tasks') tasks = value;
    else if (rest.length > 0 && Task.safeParse(head).success) {
      const task = head as Task;
      dotted.set(task, { ...dotted.get(task), [rest.join('.')]: value });
    } else throw invalid(key, `unknown option; analyze takes \`tasks\` and per-task options as \`<task>.<option>\` (tasks: ${Task.options.join(', ')})`);
  }
  if (tasks === undefined) throw invalid('tasks', `name the tasks to run, e.g. ["classify","detect"] (tasks: ${Task.options.join(', ')})`);
  if (typeof tasks === 'string' && /^\s*[[{]/.test(tasks)) {
    try {
      tasks = JSON.parse(tasks);
    } catch {
      throw invalid('tasks', 'not valid JSON');
    }
  }
  const plan: Plan = new Map();
  if (isObject(tasks)) {
    for (const [name, options] of Object.entries(tasks)) {
      if (!Task.safeParse(name).success) throw invalid(`tasks.${name}`, `unknown task; tasks are ${Task.options.join(', ')}`);
      if (options !== null && options !== true && !isObject(options)) throw invalid(`tasks.${name}`, 'give the task\'s options as an object ({} for the defaults)');
      plan.set(name as Task, isObject(options) ? options : {});
    }
  } else {
    const names = (Array.isArray(tasks) ? tasks : [tasks]).flatMap((t) => (typeof t === 'string' ? t.split(',') : [t]));
    for (const name of names) {
      const clean = typeof name === 'string' ? name.trim() : name;
      if (clean === '') continue;
      if (typeof clean !== 'string' || !Task.safeParse(clean).success) throw invalid('tasks', `unknown task ${JSON.stringify(clean)}; tasks are ${Task.options.join(', ')}`);
      plan.set(clean as Task, {});
    }
  }
  if (plan.size === 0) throw invalid('tasks', `name at least one task (tasks: ${Task.options.join(', ')})`);
  for (const [task, options] of dotted) {
    const base = plan.get(task);
    if (!base) throw invalid(`${task}.${Object.keys(options)[0]}`, `options for ${task}, which is not in tasks`);
    plan.set(task, { ...base, ...options });
  }
  return plan;
}

/** The smallest decode that serves every task: undefined (all pixels) when one needs all, else the largest hints. */
function combineHints(all: Array<DecodeHints | undefined>): DecodeHints | undefined {
  let out: DecodeHints | undefined;
  for (const h of all) {
    if (!h) return undefined;
    out = out ? { minWidth: Math.max(out.minWidth, h.minWidth), minHeight: Math.max(out.minHeight, h.minHeight) } : h;
  }
  return out;
}

async function analyze(c: Context<AppEnv>, { provider: tiered, fetch }: RouteDeps, handlers: ReadonlyMap<Task, TaskHandler>): Promise<Response> {
  const provider = providerFor(c, tiered);
  const timer = createTimer();
  const requestId = c.get('requestId');
  const { items, batch, options: raw } = await readImages(c.req.raw, fetch);
  if (batch) throw new ApiError('invalid_request', 'POST /v1/analyze takes one image; for many images, send a batch to a task endpoint or one analyze request per image.');
  const plan = analyzePlan(raw);

  // Options and models first: a task whose options are wrong fails alone, before any decoding.
  type Ready = { handler: TaskHandler; options: { model?: string | undefined }; model: ModelSpec };
  const ready = new Map<Task, Ready>();
  const results: Record<string, object> = {};
  // In the API's task order, whatever order the request named them in: detect runs before pose, which reuses its boxes.
  for (const task of Task.options.filter((t) => plan.has(t))) {
    const rawOptions = plan.get(task) as Record<string, unknown>;
    const handler = handlers.get(task) as TaskHandler;
    try {
      const options = parseOptions(handler.schema, rawOptions);
      if (handler.picture(options, undefined)) throw invalid('format', 'analyze answers JSON; ask a task endpoint for pictures (detect: annotate=true gives a data URL)');
      ready.set(task, { handler, options, model: provider.findModel(task, options.model) });
    } catch (err) {
      results[task] = errorBody(err, requestId);
    }
  }

  const image = imageSource(await (items[0] as (typeof items)[number]).load());
  // Decoding once, at the largest size any task asks for; the tasks' own decode calls then reuse it.
  const hints = combineHints([...ready.values()].map(({ handler, options, model }) => handler.decodeHints(options, model)));
  const decoded = await timer.measureAsync('decode', () => image.decode(hints));
  for (const [task, { handler, options, model }] of ready) {
    try {
      const answer = await handler.run({ provider, image, options, model, timer: createTimer(), signal: c.req.raw.signal, picture: undefined });
      results[task] = answer.json ?? {};
    } catch (err) {
      results[task] = errorBody(err, requestId);
    }
  }
  const { decode_ms, total_ms } = timer.result();
  // Tasks in the order the API lists them, whatever order the request named them in.
  const ordered = Object.fromEntries(Task.options.filter((t) => t in results).map((t) => [t, results[t]]));
  return c.json({ task: 'analyze', image: decoded.original, results: ordered, timings: { decode_ms, total_ms } } as AnalyzeResponse);
}

export function analyzeRoute(app: Hono<AppEnv>, deps: RouteDeps, handlers: readonly TaskHandler[]) {
  const byTask = new Map(handlers.map((h) => [h.task, h]));
  app.post('/v1/analyze', (c) => analyze(c, deps, byTask));
}
