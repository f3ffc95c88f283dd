/**
 * Section 10 of `npm run bench` (alone: `npm run bench -- --request-path`, printed, nothing written): the request
 * around inference, each target of issue #20 beside its figure. In Node, the old and new code side by side (photon
 * resize + pack vs the fused preprocess; fast-png vs the row decoder); in workerd, the worker's own timings and the
 * HTTP p50 of result-cache hits against computed answers.
 */
import { PhotonImage, resize, SamplingFilter } from '@cf-wasm/photon';
import '../packages/worker/src/node'; // the codecs, as the worker has them
import { decodeImage, resizeRGBA } from '../packages/worker/src/image/decode';
import { decodePngRGBA } from '../packages/worker/src/image/js-decoders';
import { encodePng } from '../packages/worker/src/image/png';
import { manifest } from '../packages/worker/src/models/manifest';
import { imageToTensor, placeInput, toTensor } from '../packages/worker/src/pipeline/preprocess';
import type { WorkerServer } from '../test/support/worker-server';

type Say = (line?: string) => void;
interface Out {
  say: Say;
  table: (headers: string[], rows: (string | number)[][]) => void;
  stats: (xs: number[]) => { median: number };
  json: Record<string, unknown>;
}
type Image = { type: string; bytes: Uint8Array<ArrayBuffer> };

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

/** Median ms of `fn` (awaited) over `n` runs after two warm-ups. */
async function timeIt(stats: Out['stats'], n: number, fn: () => unknown): Promise<number> {
  await fn();
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    xs.push(performance.now() - s);
  }
  return stats(xs).median;
}

function photonResizePng(bytes: Uint8Array, width: number, height: number) {
  const source = PhotonImage.new_from_byteslice(bytes);
  const out = resize(source, width, height, SamplingFilter.Triangle);
  const rgba = out.get_raw_pixels();
  source.free();
  out.free();
  return encodePng({ width, height, color: 'rgba', data: rgba }) as Promise<Uint8Array<ArrayBuffer>>;
}

/** Worker timings and client ms of `n` requests (after two warm-ups). */
async function requests(server: WorkerServer, path: string, img: Image, n: number, headers: Record<string, string> = {}) {
  const timings: Record<string, number[]> = {};
  const client: number[] = [];
  const cache: string[] = [];
  for (let i = 0; i < n + 2; i++) {
    const s = performance.now();
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': img.type, ...headers }, body: img.bytes });
    const body = (await res.json()) as { timings?: Record<string, number> };
    const ms = performance.now() - s;
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    if (i < 2) continue;
    client.push(ms);
    cache.push(res.headers.get('cvkit-cache') ?? '');
    for (const [k, v] of Object.entries(body.timings ?? {})) (timings[k] ??= []).push(v);
  }
  return { timings, client, cache };
}

export async function requestPathSection(server: WorkerServer, out: Out, { quick, jpeg, catPng }: { quick: boolean; jpeg: Image; catPng: Uint8Array }) {
  const { say, table, stats, json } = out;
  const n = quick ? 3 : 30;
  const med = (xs: number[] | undefined) => stats(xs ?? []).median;
  say('## 10. The request around inference (issue #20 targets; medians)');
  say();

  // In Node: old and new code on the same pixels.
  const rows: (string | number)[][] = [];
  const decodedJpeg = await decodeImage(jpeg.bytes);
  for (const task of ['classify', 'detect', 'segment'] as const) {
    const model = manifest.models.find((m) => m.task === task && m.default);
    const artifact = model?.artifacts.find((a) => a.runtime !== 'oip-v2');
    if (!model || !artifact) continue;
    const spec = model.input;
    const image = await decodeImage(jpeg.bytes, { minWidth: spec.width, minHeight: spec.height });
    const before = await timeIt(stats, n, () => {
      const placement = placeInput(image.width, image.height, spec);
      toTensor(resizeRGBA(image.rgba, image.width, image.height, placement.width, placement.height), placement, spec, artifact.input);
    });
    const after = await timeIt(stats, n, () => imageToTensor(image, spec, artifact.input));
    const goal = task === 'segment' ? '<= 4' : '';
    rows.push([`preprocess ${task} (${model.id}, ${image.width}x${image.height} -> ${spec.width}x${spec.height} ${artifact.input.dtype} ${artifact.input.layout})`, f1(before), f1(after), goal]);
  }
  const png451 = await photonResizePng(catPng, 451, 300);
  rows.push(['PNG 451x300 decode to RGBA', f1(await timeIt(stats, n, () => decodePngRGBA(png451))), f1(await timeIt(stats, n, () => decodeImage(png451))), '<= 8 (workerd)']);
  const png4k = await photonResizePng(catPng, 3840, 2160);
  rows.push([
    'PNG 3840x2160 decode for a 224 model',
    'refused (422, 2.1 MP limit)',
    f1(await timeIt(stats, quick ? 1 : 5, () => decodeImage(png4k, { minWidth: 224, minHeight: 224 }))),
    'answered, >= 8.3 MP',
  ]);
  say(`Node ${process.version}, in process (decoded JPEG ${decodedJpeg.width}x${decodedJpeg.height}); before = photon resize + pack / fast-png, after = fused / row decoder:`);
  say();
  table(['what (ms)', 'before', 'after', 'target'], rows);

  // In workerd: the worker's own timings, and the HTTP p50 of cache hits.
  const png451Image: Image = { type: 'image/png', bytes: png451 };
  const fresh = { 'cache-control': 'no-cache' };
  const classifyJpeg = await requests(server, '/v1/classify', jpeg, n, fresh);
  const besides = classifyJpeg.timings.total_ms?.map((t, i) => t - (classifyJpeg.timings.inference_ms?.[i] ?? 0));
  const httpBesides = classifyJpeg.client.map((t, i) => t - (classifyJpeg.timings.inference_ms?.[i] ?? 0));
  const segment = await requests(server, '/v1/segment', png451Image, n, fresh);
  const pngClassify = await requests(server, '/v1/classify', png451Image, n, fresh);
  const hits = await requests(server, '/v1/classify', jpeg, n);
  const big = await requests(server, '/v1/classify', { type: 'image/png', bytes: png4k }, quick ? 1 : 5, fresh);
  const wrows: (string | number)[][] = [
    ['classify JPEG 1024x768: worker time besides inference', f1(med(besides)), '<= 5'],
    ['classify JPEG 1024x768: HTTP p50 minus inference', f1(med(httpBesides)), '<= 10'],
    ['classify JPEG 1024x768: HTTP p50 (computed, no-cache)', f1(med(classifyJpeg.client)), '<= 20'],
    ['classify JPEG 1024x768: decode / preprocess', `${f1(med(classifyJpeg.timings.decode_ms))} / ${f1(med(classifyJpeg.timings.preprocess_ms))}`, ''],
    ['segment PNG 451x300: preprocess (513x513 input)', f1(med(segment.timings.preprocess_ms)), '<= 4'],
    ['PNG 451x300: decode (classify request)', f1(med(pngClassify.timings.decode_ms)), '<= 8'],
    ['PNG 3840x2160: classify, worker total', f1(med(big.timings.total_ms)), 'answered'],
    [`result cache hit: HTTP p50 (${hits.cache.filter((c) => c === 'hit').length}/${hits.cache.length} hits)`, f1(med(hits.client)), '<= 5'],
  ];
  say('workerd (wrangler dev), the worker\'s timings and client-side HTTP on loopback:');
  say();
  table(['what (ms)', 'measured', 'target'], wrows);
  json.requestPath = { node: rows, workerd: wrows };
}
