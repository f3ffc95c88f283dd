/**
 * `cvkit`, the command line client (Node 18+), built on the same CVKit client:
 *
 *   npx cvkit classify photo.jpg --top-k 3
 *   npx cvkit detect https://example.com/street.jpg --threshold 0.4 --out boxes.jpg
 *   npx cvkit detect 'photos/**\/*.jpg' --json --concurrency 8 > detections.jsonl
 *   npx cvkit segment photos/ --out 'overlays/{name}.png'
 *   npx cvkit embed photos/ --json > vectors.jsonl
 *   npx cvkit similar a.jpg b.jpg
 *   npx cvkit analyze photo.jpg --tasks classify,detect
 *   npx cvkit pose photo.jpg --out skel.jpg
 *
 * One image: a readable table, or the API's JSON with --json. Several (or a folder or a pattern): the same per
 * image, named, in argument order, as JSON Lines with --json; a progress bar on a terminal, and a summary line.
 * Exit codes: 0 success, 1 a request failed (for any image), 2 wrong usage.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { CVKit } from './client';
import { expandInputs, type Input, InputError, inputName } from './cli/inputs';
import { outPath, outType } from './cli/out-file';
import { runPool } from './cli/pool';
import { createProgress, type ProgressStream } from './cli/progress';
import { closest } from './cli/suggest';
import { formatAnalyze, formatClassify, formatDetect, formatEmbed, formatModels, formatPose, formatSegment, formatSimilarity, plural } from './cli-format';
import { APIError, AuthenticationError, CVKitError } from './errors';
import { dataUrlToBytes } from './helpers/data-url';
import type { ImageInput } from './image-input';
import { readEnv } from './internal/env';
import { fromFile } from './node';
import type { AnalyzeResponse, ClassifyResponse, DetectOptions, DetectResponse, EmbedOptions, EmbedResponse, Fallback, PoseResponse, SegmentOptions, SegmentResponse, Task, TierOption } from './types';

const VERSION = '0.1.0';
const DEFAULT_BASE_URL = 'http://127.0.0.1:8787';
const DEFAULT_CONCURRENCY = 4;
const COMMANDS = ['classify', 'detect', 'segment', 'pose', 'embed', 'similar', 'analyze', 'models'] as const;
/** What `analyze` may run (`--tasks`), and runs by default. */
const TASKS: readonly Task[] = ['classify', 'detect', 'segment', 'embed'];
const DEFAULT_TASKS: readonly Task[] = ['classify', 'detect', 'segment'];
/** `--annotate`: the picture beside the current folder's other outputs, named after the image. */
const ANNOTATE_OUT = '{name}.annotated.png';
type Command = (typeof COMMANDS)[number];

const USAGE = `Usage: cvkit <command> <image...> [options]

Commands:
  classify <image...>       what is in the image (ImageNet classes)
  detect <image...>         where the objects are (COCO boxes)
  segment <image...>        which pixel is what (PASCAL VOC classes)
  pose <image...>           where each person's joints are (17 COCO keypoints)
  embed <image...>          an embedding per image (--json: one JSON line each, for a vector store)
  similar <image...>        how alike 2 to 16 images are (cosine similarity of their embeddings)
  analyze <image...>        several tasks in one request (all three, or --tasks classify,detect)
  models                    the served models

<image> is a file, a folder (its images, at any depth), a glob pattern ('photos/**/*.jpg', quoted), an http(s)
or data: URL (fetched by the API), or - for stdin. Several images run in parallel; each gets its result.

Options:
  --model <id>              a model id from \`cvkit models\` (default: the task's default)
  --tier <edge|gpu|auto>    where to run: the worker, the GPU tier (no fallback), or auto (default)
  --top-k <n>               classify: how many predictions (default 5)
  --threshold <0..1>        detect: smallest score reported (default 0.5)
  --iou <0..1>              detect: NMS IoU (default 0.45)
  --max-detections <n>      detect: at most this many (default 100)
  --classes <a,b,...>       detect, segment: only these labels
  --mask <png|rle|none>     segment --json: how the class map is encoded
  --encoding <float|base64> embed --json: the vector as numbers (default) or base64 float32
  --tasks <a,b,...>         analyze: which tasks (default classify,detect,segment); the options above go to theirs
  --max-people <n>          pose: at most this many people (default 6)
  --out <file>              detect: the photo with the boxes drawn; segment: the photo with the mask overlay;
                            pose: the photo with the skeletons drawn.
                            .png or .jpg picks the format; with several images use {name}: --out 'out/{name}.jpg'
  --annotate                detect, segment: write that picture as ${ANNOTATE_OUT} (--out without a name)
  --legend                  with --out or --annotate: a legend of the classes found on the picture
  --json                    the API's JSON answer; with several images, JSON Lines (one object per image, "file" first)
  --concurrency <n>         several images: how many requests at once (default ${DEFAULT_CONCURRENCY})
  --base-url <url>          the API (default $CVKIT_BASE_URL, else ${DEFAULT_BASE_URL})
  --api-key <key>           sent as a bearer token (default $CVKIT_API_KEY)
  --timeout <ms>            per attempt (default 60000)
  -h, --help                this help
  -v, --version             the version`;

class UsageError extends Error {}

const OPTIONS = {
  model: { type: 'string' },
  tier: { type: 'string' },
  'top-k': { type: 'string' },
  threshold: { type: 'string' },
  iou: { type: 'string' },
  'max-detections': { type: 'string' },
  'max-people': { type: 'string' },
  classes: { type: 'string' },
  mask: { type: 'string' },
  encoding: { type: 'string' },
  tasks: { type: 'string' },
  out: { type: 'string' },
  annotate: { type: 'boolean' },
  legend: { type: 'boolean' },
  json: { type: 'boolean' },
  concurrency: { type: 'string' },
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const unknown = (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-{1,2}[^'\s]+)'/.exec(message)?.[1] : undefined;
    if (unknown) {
      const name = unknown.replace(/^-+/, '').split('=')[0] ?? '';
      const guess = closest(name, Object.keys(OPTIONS));
      throw new UsageError(`Unknown option '${unknown}'${guess ? `; did you mean --${guess}?` : '.'}`);
    }
    throw new UsageError(message);
  }
}

const number = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} must be a number, got '${value}'.`);
  return n;
};

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readImage(input: Input): Promise<ImageInput> {
  if (input.kind === 'stdin') return readStdin();
  if (input.kind === 'url') return input.url;
  return fromFile(input.path);
}

/** An error as one line: the message, then HTTP status, code and request id; a 401 says where the key goes. */
function describeError(e: unknown): string {
  if (!(e instanceof APIError)) return e instanceof Error ? e.message : String(e);
  const where = [e.status !== undefined ? `HTTP ${e.status}` : undefined, e.code, e.request_id ? `request id ${e.request_id}` : undefined];
  const hint = e instanceof AuthenticationError ? ' Pass the key with --api-key <key> or set CVKIT_API_KEY.' : '';
  return `${e.message} (${where.filter(Boolean).join(', ')})${hint}`;
}

/** The error of one image as JSON Lines output. */
function errorJson(e: unknown) {
  if (e instanceof APIError) return { code: e.code, message: e.message, status: e.status, request_id: e.request_id };
  return { code: e instanceof CVKitError ? 'client_error' : 'error', message: e instanceof Error ? e.message : String(e) };
}

type TaskResult = ClassifyResponse | DetectResponse | SegmentResponse | EmbedResponse | PoseResponse | AnalyzeResponse;

/** What one image gave: the API's answer and the picture written for it, if any. */
interface Analysis {
  result: TaskResult;
  written?: string | undefined;
}

/** Writes a picture answer to `path`, refusing to put one format's bytes under another format's name. */
async function writePicture(path: string, bytes: Uint8Array, type: string, wanted: string): Promise<void> {
  if (type !== wanted) throw new CVKitError(`The API answered ${type || 'an unknown type'}, not ${wanted}, for ${path}: name the file ${type === 'image/png' ? '.png' : '.jpg'}.`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

interface Settings {
  cv: CVKit;
  command: Exclude<Command, 'models' | 'similar'>;
  model: string | undefined;
  tier: TierOption | undefined;
  classes: string | undefined;
  mask: SegmentOptions['mask'];
  encoding: EmbedOptions['encoding'];
  numbers: { top_k?: number | undefined; threshold?: number | undefined; iou?: number | undefined; max_detections?: number | undefined; max_people?: number | undefined };
  out: string | undefined;
  legend: boolean | undefined;
  tasks: Task[];
}

/**
 * One image, one task: the unit the CLI runs per image (today one request per task endpoint; a batch endpoint
 * can take over by grouping these calls without changing the output).
 */
async function analyze(input: Input, s: Settings): Promise<Analysis> {
  const image = await readImage(input);
  const out = s.out === undefined ? undefined : outPath(s.out, inputName(input));
  const wanted = out === undefined ? undefined : (outType(out) as string);
  const accept = { headers: { accept: wanted ?? 'image/png' } };
  if (s.command === 'classify') return { result: await s.cv.classify(image, { model: s.model, tier: s.tier, top_k: s.numbers.top_k }) };
  if (s.command === 'embed') return { result: await s.cv.embed(image, { model: s.model, tier: s.tier, encoding: s.encoding }) };
  const { threshold, iou, max_detections } = s.numbers;
  if (s.command === 'analyze') {
    // Each task gets the flags that are its options; --model would fit one task only, so it is refused above.
    const per = { classify: { tier: s.tier, top_k: s.numbers.top_k }, detect: { tier: s.tier, classes: s.classes, threshold, iou, max_detections }, segment: { tier: s.tier, classes: s.classes, mask: s.mask }, embed: { tier: s.tier, encoding: s.encoding }, pose: { tier: s.tier, max_people: s.numbers.max_people } };
    return { result: await s.cv.analyze(image, { tasks: Object.fromEntries(s.tasks.map((t) => [t, per[t]])) }) };
  }
  if (s.command === 'detect') {
    const options: DetectOptions & { format?: 'json' } = { model: s.model, tier: s.tier, classes: s.classes, threshold, iou, max_detections, legend: s.legend };
    const result = await s.cv.detect(image, { ...options, annotate: out ? true : undefined });
    if (out && wanted) {
      // The annotated picture inside the JSON comes in the photo's own format; another format is a second call.
      const annotated = result.annotated_image ? dataUrlToBytes(result.annotated_image) : undefined;
      delete result.annotated_image; // written to the file; keep the printed JSON small
      if (annotated?.type === wanted) await writePicture(out, annotated.bytes, annotated.type, wanted);
      else {
        const picture = await s.cv.detect(image, { ...options, format: 'image' }, accept);
        await writePicture(out, new Uint8Array(await picture.arrayBuffer()), picture.type, wanted);
      }
    }
    return { result, written: out };
  }
  if (s.command === 'pose') {
    const options = { model: s.model, tier: s.tier, max_people: s.numbers.max_people, legend: s.legend };
    const result = await s.cv.pose(image, options);
    if (out && wanted) {
      const picture = await s.cv.pose(image, { ...options, format: 'image' }, accept);
      await writePicture(out, new Uint8Array(await picture.arrayBuffer()), picture.type, wanted);
    }
    return { result, written: out };
  }
  const result = await s.cv.segment(image, { model: s.model, tier: s.tier, classes: s.classes, mask: s.mask });
  if (out && wanted) {
    const overlay = await s.cv.segment(image, { model: s.model, tier: s.tier, classes: s.classes, format: 'image', legend: s.legend }, accept);
    await writePicture(out, new Uint8Array(await overlay.arrayBuffer()), overlay.type, wanted);
  }
  return { result, written: out };
}

/** Where it ran, when that was not where it was first tried (after the table; the JSON has `fallback` itself). */
function fellBack(result: { fallback?: Fallback | undefined }, json: boolean | undefined, err: (s: string) => void) {
  if (result.fallback && !json) err(`cvkit: ran on the ${result.fallback.from === 'gpu' ? 'edge' : 'GPU'} tier: ${result.fallback.message}`);
}

const formatResult = (result: TaskResult): string =>
  result.task === 'classify' ? formatClassify(result) : result.task === 'detect' ? formatDetect(result) : result.task === 'embed' ? formatEmbed(result) : result.task === 'pose' ? formatPose(result) : result.task === 'segment' ? formatSegment(result) : formatAnalyze(result);

/** Where the progress bar goes and the clock of the summary line (tests pass their own). */
export interface CliOptions {
  /** The terminal the progress bar is drawn on (stderr); no bar when it is not a TTY. */
  progress?: ProgressStream | undefined;
  /** Milliseconds, for the summary's duration. */
  now?: (() => number) | undefined;
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void, io: CliOptions = {}): Promise<number> {
  const now = io.now ?? (() => performance.now());
  try {
    const { values: flags, positionals } = parse(argv);
    if (flags.version) return out(VERSION), 0;
    const [command, ...images] = positionals;
    if (flags.help || !command) return (flags.help ? out : err)(USAGE), flags.help ? 0 : 2;
    if (!(COMMANDS as readonly string[]).includes(command)) {
      const guess = closest(command, COMMANDS);
      throw new UsageError(`Unknown command '${command}'${guess ? `; did you mean ${guess}?` : '.'}`);
    }
    if (command === 'models' && images.length > 0) throw new UsageError(`Unexpected argument '${images[0]}': cvkit models takes no image.`);
    if (command !== 'models' && images.length === 0) throw new UsageError(`cvkit ${command} needs an image: a file, a folder, a pattern, a URL or -.`);
    if (flags.out !== undefined && !['detect', 'segment', 'pose'].includes(command)) throw new UsageError('--out is for detect, segment and pose.');
    if (flags.annotate && command !== 'detect' && command !== 'segment') throw new UsageError('--annotate is for detect and segment.');
    if (flags.legend && flags.out === undefined && !flags.annotate) throw new UsageError('--legend draws on the picture: add --out <file> or --annotate.');
    if (flags.tasks !== undefined && command !== 'analyze') throw new UsageError('--tasks is for analyze.');
    if (flags.model !== undefined && command === 'analyze') throw new UsageError('--model names one model: run that task\'s command (cvkit detect --model ...) instead of analyze.');
    const tasks = (flags.tasks ?? DEFAULT_TASKS.join(',')).split(',').map((t) => t.trim()).filter(Boolean);
    const badTask = tasks.find((t) => !(TASKS as readonly string[]).includes(t));
    if (badTask !== undefined || tasks.length === 0) throw new UsageError(`--tasks takes classify, detect and/or segment, comma-separated${badTask ? `, not '${badTask}'` : ''}.`);
    if (flags.out !== undefined && !outType(flags.out)) throw new UsageError(`--out must name a .png or .jpg file, not '${flags.out}'.`);
    if (flags.mask && !['png', 'rle', 'none'].includes(flags.mask)) throw new UsageError('--mask must be png, rle or none.');
    if (flags.tier && !['edge', 'gpu', 'auto'].includes(flags.tier)) throw new UsageError('--tier must be edge, gpu or auto.');
    if (flags.encoding && !['float', 'base64'].includes(flags.encoding)) throw new UsageError('--encoding must be float or base64.');

    const numbers = {
      top_k: number('top-k', flags['top-k']),
      threshold: number('threshold', flags.threshold),
      iou: number('iou', flags.iou),
      max_detections: number('max-detections', flags['max-detections']),
      max_people: number('max-people', flags['max-people']),
    };
    const timeout = number('timeout', flags.timeout);
    const concurrency = number('concurrency', flags.concurrency) ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency must be a whole number from 1 to 64, got '${flags.concurrency}'.`);

    const cv = new CVKit({ baseURL: flags['base-url'] ?? readEnv('CVKIT_BASE_URL') ?? DEFAULT_BASE_URL, apiKey: flags['api-key'], timeout });

    if (command === 'models') {
      const list = await cv.models();
      out(flags.json ? JSON.stringify(list, null, 2) : formatModels(list));
      return 0;
    }

    let expanded;
    try {
      expanded = await expandInputs(images);
    } catch (e) {
      if (e instanceof InputError) throw new UsageError(e.message);
      throw e;
    }
    const { inputs, many } = expanded;
    if (command === 'similar') {
      if (inputs.length < 2 || inputs.length > 16) throw new UsageError(`cvkit similar compares 2 to 16 images; got ${inputs.length}.`);
      const result = await cv.similarity(await Promise.all(inputs.map(readImage)), { model: flags.model, tier: flags.tier as TierOption | undefined });
      const names = inputs.map(inputName);
      out(flags.json ? JSON.stringify({ files: names, ...result }) : formatSimilarity(names, result));
      fellBack(result, flags.json, err);
      return 0;
    }
    const outFlag = flags.out ?? (flags.annotate ? ANNOTATE_OUT : undefined);
    if (many && flags.out !== undefined && !flags.out.includes('{name}')) {
      throw new UsageError(`--out needs {name} with several images (one file each), e.g. --out 'out/{name}${flags.out.slice(flags.out.lastIndexOf('.'))}'.`);
    }
    const mask = (flags.mask ?? (flags.json ? undefined : 'none')) as SegmentOptions['mask'];
    const settings: Settings = { cv, command: command as Settings['command'], model: flags.model, tier: flags.tier as TierOption | undefined, classes: flags.classes, mask, encoding: flags.encoding as EmbedOptions['encoding'], numbers, out: outFlag, legend: flags.legend, tasks: tasks as Task[] };

    if (!many) {
      const { result, written } = await analyze(inputs[0] as Input, settings);
      out(flags.json ? JSON.stringify(result, null, 2) : formatResult(result));
      if (written && !flags.json) out(`${command === 'detect' ? 'annotated image' : command === 'pose' ? 'skeletons' : 'mask overlay'} written to ${written}`);
      if (result.task !== 'analyze') fellBack(result, flags.json, err);
      return 0;
    }

    const started = now();
    const progress = createProgress(io.progress ?? { isTTY: false, write: () => {} }, inputs.length);
    let failed = 0;
    await runPool(
      inputs,
      concurrency,
      async (input) => {
        try {
          const analysis = await analyze(input, settings);
          progress.tick(false);
          return { input, analysis };
        } catch (error) {
          progress.tick(true);
          return { input, error };
        }
      },
      ({ input, analysis, error }) => {
        const file = inputName(input);
        if (!analysis) failed++;
        progress.print(() => {
          if (flags.json) out(JSON.stringify(analysis ? { file, ...analysis.result, ...(analysis.written ? { out: analysis.written } : {}) } : { file, error: errorJson(error) }));
          else if (analysis) out(`${file}: ${formatResult(analysis.result)}${analysis.written ? `\n  written to ${analysis.written}` : ''}`);
          else err(`${file}: ${describeError(error)}`);
        });
      },
    );
    progress.done();
    const seconds = ((now() - started) / 1000).toFixed(1);
    err(`${plural(inputs.length, 'image')}: ${inputs.length - failed} done, ${failed} failed in ${seconds} s`);
    return failed > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`cvkit: ${e.message}\nRun cvkit --help for usage.`);
      return 2;
    }
    err(`cvkit: ${describeError(e)}`);
    return 1;
  }
}

const code = await main(
  process.argv.slice(2),
  (s) => process.stdout.write(`${s}\n`),
  (s) => process.stderr.write(`${s}\n`),
  { progress: process.stderr },
);
process.exitCode = code;
