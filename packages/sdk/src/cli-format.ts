/** The CLI's human-readable output: one header line and an aligned table per task. Pure, for tests. */
import { decodeEmbedding } from './helpers/embedding';
import type { AnalyzeResponse, Box, ClassifyResponse, DetectResponse, EmbedResponse, ModelList, PoseResponse, SegmentResponse, SimilarityResponse } from './types';

/** "1 prediction", "5 predictions", "1 class", "3 classes". */
export function plural(n: number, word: string): string {
  if (n === 1) return `1 ${word}`;
  return `${n} ${/(s|x|ch|sh)$/.test(word) ? `${word}es` : `${word}s`}`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const px = (x: number) => String(Math.round(x));
const boxText = (b: Box) => `${px(b.x1)},${px(b.y1)},${px(b.x2)},${px(b.y2)}`;

/** Columns padded to their widest cell; `right` columns are right-aligned (numbers). */
export function table(header: string[], rows: string[][], right: number[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    '  ' + cells.map((c, i) => (right.includes(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** "model · tier · size · what · time": the tier says where it ran (edge, gpu, workers-ai). */
function headline(result: { model: { id: string; tier: string }; image: { width: number; height: number }; timings: { total_ms: number } }, what: string): string {
  return `${result.model.id} · ${result.model.tier} · ${result.image.width}x${result.image.height} · ${what} · ${Math.round(result.timings.total_ms)} ms`;
}

export function formatClassify(r: ClassifyResponse): string {
  const rows = r.predictions.map((p, i) => [String(i + 1), p.label, pct(p.score), p.synset]);
  return `${headline(r, plural(r.predictions.length, 'prediction'))}\n${table(['#', 'label', 'score', 'synset'], rows, [0, 2])}`;
}

export function formatDetect(r: DetectResponse): string {
  const head = headline(r, plural(r.detections.length, 'detection'));
  if (r.detections.length === 0) return `${head}\n  (nothing above the threshold)`;
  const rows = r.detections.map((d) => [d.label, pct(d.score), px(d.box.x1), px(d.box.y1), px(d.box.x2), px(d.box.y2)]);
  return `${head}\n${table(['label', 'score', 'x1', 'y1', 'x2', 'y2'], rows, [1, 2, 3, 4, 5])}`;
}

export function formatSegment(r: SegmentResponse): string {
  const rows = r.segments.map((s) => [s.label, String(s.index), String(s.pixels), pct(s.fraction), boxText(s.box)]);
  return `${headline(r, plural(r.segments.length, 'class'))}\n${table(['label', 'index', 'pixels', 'area', 'box (x1,y1,x2,y2)'], rows, [1, 2, 3])}`;
}

/** The headline and the vector's first values (the whole vector is in --json). */
export function formatEmbed(r: EmbedResponse): string {
  const head = headline(r, `${r.dimensions} dimensions`);
  const first = Array.from(decodeEmbedding(r.embedding).subarray(0, 6), (x) => x.toFixed(4));
  return `${head}\n  [${first.join(', ')}${r.dimensions > first.length ? ', ...' : ''}] (norm 1; --json for all of it)`;
}

/** Two images: one line; more: the matrix with the images numbered as listed. */
export function formatSimilarity(names: readonly string[], r: SimilarityResponse): string {
  const head = `${r.model.id} · ${plural(names.length, 'image')} · ${Math.round(r.timings.total_ms)} ms`;
  if (names.length === 2) return `${head}\n  ${names[0]} ~ ${names[1]}: cosine similarity ${(r.matrix[0]?.[1] ?? 0).toFixed(3)}`;
  const rows = r.matrix.map((row, i) => [String(i + 1), names[i] ?? '', ...row.map((x) => x.toFixed(3))]);
  return `${head}\n${table(['#', 'image', ...names.map((_, i) => String(i + 1))], rows, [0, ...names.map((_, i) => i + 2)])}`;
}

/** One row per person: score, box, and how many of the 17 keypoints are seen (score of 0.3 or more). */
export function formatPose(r: PoseResponse): string {
  const head = headline(r, r.people.length === 1 ? '1 person' : `${r.people.length} people`);
  if (r.people.length === 0) return `${head}\n  (nobody found)`;
  const rows = r.people.map((p, i) => [String(i + 1), pct(p.score), boxText(p.box), `${p.keypoints.filter((k) => k.score >= 0.3).length}/17`]);
  return `${head}\n${table(['#', 'score', 'box (x1,y1,x2,y2)', 'keypoints seen'], rows, [0, 1, 3])}`;
}

export function formatModels({ models }: ModelList): string {
  const rows = models.map((m) => [m.task, m.id, m.default ? 'yes' : '', `${m.input.width}x${m.input.height}`, m.accuracy, m.tier, m.runtime]);
  return table(['task', 'id', 'default', 'input', 'accuracy', 'tier', 'runtime'], rows);
}

/** Each task's table under a line for the request; a task that failed is its error line. */
export function formatAnalyze(r: AnalyzeResponse): string {
  const parts = [`analyze · ${r.image.width}x${r.image.height} · ${plural(Object.keys(r.results).length, 'task')} · ${Math.round(r.timings.total_ms)} ms`];
  const { classify, detect, segment } = r.results;
  const failed = (task: string, e: { error: { code: string; message: string } }) => `${task}: ${e.error.message} (${e.error.code})`;
  if (classify) parts.push('error' in classify ? failed('classify', classify) : formatClassify(classify));
  if (detect) parts.push('error' in detect ? failed('detect', detect) : formatDetect(detect));
  if (segment) parts.push('error' in segment ? failed('segment', segment) : formatSegment(segment));
  return parts.join('\n');
}
