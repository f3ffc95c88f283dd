/**
 * `cvkit`, the command line client (Node 18+), built on the same CVKit client:
 *
 *   npx cvkit classify photo.jpg --top-k 3
 *   npx cvkit detect https://example.com/street.jpg --threshold 0.4 --out boxes.png
 *   npx cvkit segment photo.jpg --json
 *
 * A readable table by default, the API's JSON with --json. Exit codes: 0 success, 1 the request failed (the error
 * message and request id go to stderr), 2 wrong usage.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CVKit } from './client';
import { formatClassify, formatDetect, formatModels, formatSegment } from './cli-format';
import { APIError, CVKitError } from './errors';
import { dataUrlToBytes } from './helpers/data-url';
import type { ImageInput } from './image-input';
import { readEnv } from './internal/env';
import { fromFile } from './node';
import type { DetectOptions, Fallback, SegmentOptions, TierOption } from './types';

const VERSION = '0.1.0';
const DEFAULT_BASE_URL = 'http://127.0.0.1:8787';

const USAGE = `Usage: cvkit <command> <file | url | -> [options]

Commands:
  classify <image>          what is in the image (ImageNet classes)
  detect <image>            where the objects are (COCO boxes)
  segment <image>           which pixel is what (PASCAL VOC classes)
  models                    the served models

<image> is a file path, an http(s) or data: URL (fetched by the API), or - for stdin.

Options:
  --model <id>              a model id from \`cvkit models\` (default: the task's default)
  --tier <edge|gpu|auto>    where to run it (default auto: the model's preferred tier, falling back to the other)
  --top-k <n>               classify: how many predictions (default 5)
  --threshold <0..1>        detect: smallest score reported (default 0.5)
  --iou <0..1>              detect: NMS IoU (default 0.45)
  --max-detections <n>      detect: at most this many (default 100)
  --classes <a,b,...>       detect, segment: only these labels
  --mask <png|rle|none>     segment --json: how the class map is encoded
  --out <file>              detect: the photo with the boxes drawn; segment: the photo with the mask overlay
  --json                    print the API's JSON answer instead of a table
  --base-url <url>          the API (default $CVKIT_BASE_URL, else ${DEFAULT_BASE_URL})
  --api-key <key>           sent as a bearer token (default $CVKIT_API_KEY)
  --timeout <ms>            per attempt (default 60000)
  -h, --help                this help
  -v, --version             the version`;

class UsageError extends Error {}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string' },
        tier: { type: 'string' },
        'top-k': { type: 'string' },
        threshold: { type: 'string' },
        iou: { type: 'string' },
        'max-detections': { type: 'string' },
        classes: { type: 'string' },
        mask: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        'base-url': { type: 'string' },
        'api-key': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
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

async function readImage(arg: string): Promise<ImageInput> {
  if (arg === '-') return readStdin();
  if (/^(https?:\/\/|data:)/i.test(arg)) return arg;
  try {
    return await fromFile(arg);
  } catch (err) {
    throw new CVKitError(`Cannot read ${arg}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Runs the CLI; resolves with the exit code. Output goes to the given writers (stdout, stderr). */
export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  try {
    const { values: flags, positionals } = parse(argv);
    if (flags.version) return out(VERSION), 0;
    const [command, input, ...extra] = positionals;
    if (flags.help || !command) return (flags.help ? out : err)(USAGE), flags.help ? 0 : 2;
    if (!['classify', 'detect', 'segment', 'models'].includes(command)) throw new UsageError(`Unknown command '${command}'.`);
    if (command !== 'models' && !input) throw new UsageError(`cvkit ${command} needs an image: a file path, a URL or -.`);
    if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}'.`);
    if (flags.out && command !== 'detect' && command !== 'segment') throw new UsageError('--out is for detect and segment.');
    if (flags.mask && !['png', 'rle', 'none'].includes(flags.mask)) throw new UsageError('--mask must be png, rle or none.');
    if (flags.tier && !['edge', 'gpu', 'auto'].includes(flags.tier)) throw new UsageError('--tier must be edge, gpu or auto.');

    const numbers = {
      top_k: number('top-k', flags['top-k']),
      threshold: number('threshold', flags.threshold),
      iou: number('iou', flags.iou),
      max_detections: number('max-detections', flags['max-detections']),
      timeout: number('timeout', flags.timeout),
    };

    const cv = new CVKit({
      baseURL: flags['base-url'] ?? readEnv('CVKIT_BASE_URL') ?? DEFAULT_BASE_URL,
      apiKey: flags['api-key'],
      timeout: numbers.timeout,
    });
    const print = (value: unknown, text: () => string) => out(flags.json ? JSON.stringify(value, null, 2) : text());

    if (command === 'models') {
      const list = await cv.models();
      print(list, () => formatModels(list));
      return 0;
    }
    const image = await readImage(input as string);
    const model = flags.model;
    const tier = flags.tier as TierOption | undefined;
    const classes = flags.classes;
    // Where it ran, when it was not where it was first tried (printed after the table).
    const fellBack = (r: { fallback?: Fallback | undefined }) => {
      if (r.fallback && !flags.json) err(`cvkit: ran on the ${r.fallback.from === 'gpu' ? 'edge' : 'GPU'} tier: ${r.fallback.message}`);
    };

    if (command === 'classify') {
      const result = await cv.classify(image, { model, tier, top_k: numbers.top_k });
      print(result, () => formatClassify(result));
      fellBack(result);
    } else if (command === 'detect') {
      const options: DetectOptions & { format?: 'json' } = {
        model,
        tier,
        threshold: numbers.threshold,
        iou: numbers.iou,
        max_detections: numbers.max_detections,
        classes,
        annotate: flags.out ? true : undefined,
      };
      const result = await cv.detect(image, options);
      if (flags.out) {
        if (!result.annotated_image) throw new CVKitError('The API returned no annotated image.');
        await writeFile(flags.out, dataUrlToBytes(result.annotated_image).bytes);
        delete result.annotated_image; // written to the file; keep the printed JSON small
      }
      print(result, () => formatDetect(result));
      fellBack(result);
      if (flags.out && !flags.json) out(`annotated image written to ${flags.out}`);
    } else {
      const mask = (flags.mask ?? (flags.json ? undefined : 'none')) as SegmentOptions['mask'];
      const result = await cv.segment(image, { model, tier, classes, mask });
      print(result, () => formatSegment(result));
      fellBack(result);
      if (flags.out) {
        const overlay = await cv.segment(image, { model, tier, classes, format: 'image' });
        await writeFile(flags.out, new Uint8Array(await overlay.arrayBuffer()));
        if (!flags.json) out(`mask overlay written to ${flags.out}`);
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`cvkit: ${e.message}\nRun cvkit --help for usage.`);
      return 2;
    }
    if (e instanceof APIError) {
      const where = [e.status !== undefined ? `HTTP ${e.status}` : undefined, e.code, e.request_id ? `request id ${e.request_id}` : undefined];
      err(`cvkit: ${e.message} (${where.filter(Boolean).join(', ')})`);
      return 1;
    }
    err(`cvkit: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2), (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`));
process.exitCode = code;
