/**
 * From a detector's raw outputs to the API's detections, driven by the manifest's output spec: decode (yolox-grid
 * or detr-boxes), map boxes to upright-image pixels, clip, suppress or cut, label and normalise.
 */
import type { Detection } from '@cvkit/sdk/contract';
import type { Placement } from '../pipeline/preprocess';
import type { OutputSpec } from '../models/manifest';
import { type Box, type Size, area, clip, inputToImage, normalize, roundBox } from './boxes';
import { decodeDetrBoxes } from './detr-boxes';
import { type Candidate, selectDetections } from './nms';
import { decodeTfliteSsd } from './tflite-ssd';
import { decodeYoloV8 } from './yolo-v8';
import { decodeYoloxGrid } from './yolox-grid';

/** NMS IoU threshold for models whose outputs need NMS, when the caller names none (YOLOX's own default). */
export const DEFAULT_IOU = 0.45;

/**
 * Two boxes of different labels overlapping above this IoU are one object under two labels (DETR-style models score
 * every class per query): with one label per object (the default) the better label is kept, the other listed in
 * its `alternatives`. High enough that a rider and a horse, or a cup on a table, stay two objects.
 */
export const SAME_OBJECT_IOU = 0.7;

export type DetectorOutput = Extract<OutputSpec, { kind: 'yolox-grid' | 'detr-boxes' | 'yolo-v8' | 'tflite-ssd' }>;
export type Coordinates = 'input' | 'image' | 'normalized';

export interface DetectionSettings {
  threshold: number;
  /** NMS IoU; undefined: the model's default (DEFAULT_IOU where its spec says nms, else none). */
  iou: number | undefined;
  maxDetections: number;
  /** Class mask: only classes with a non-zero entry (undefined: all). */
  allowed?: Uint8Array | undefined;
}

/** Output tensors by name, as ORT returns them (only `data` is read). */
export type OutputTensors = Readonly<Record<string, { readonly data: unknown } | undefined>>;

function tensor<T>(outputs: OutputTensors, name: string, is: (v: unknown) => v is T, what: string): T {
  const data = outputs[name]?.data;
  if (!is(data)) throw new Error(`the model has no ${what} output '${name}'`);
  return data;
}
const isFloat = (v: unknown): v is Float32Array => v instanceof Float32Array;
const isIntegers = (v: unknown): v is BigInt64Array | Int32Array => v instanceof BigInt64Array || v instanceof Int32Array;

/** Decodes raw outputs into candidates and says which coordinates their boxes are in. */
export function decodeOutputs(
  spec: DetectorOutput,
  input: Size,
  outputs: OutputTensors,
  classes: number,
  filter: Pick<DetectionSettings, 'threshold' | 'allowed'>,
): { candidates: Candidate[]; coordinates: Coordinates } {
  switch (spec.kind) {
    case 'yolox-grid': {
      const data = tensor(outputs, spec.name, isFloat, 'float32');
      return { candidates: decodeYoloxGrid(data, { ...input, strides: spec.strides, classes }, filter), coordinates: 'input' };
    }
    case 'detr-boxes': {
      const boxes = tensor(outputs, spec.boxes, isFloat, 'float32 boxes');
      const scores = tensor(outputs, spec.scores, isFloat, 'float32 scores');
      const labels = tensor(outputs, spec.labels, isIntegers, 'integer labels');
      return { candidates: decodeDetrBoxes({ boxes, labels, scores }, classes, filter), coordinates: spec.coordinates };
    }
    case 'yolo-v8':
      return { candidates: decodeYoloV8(tensor(outputs, spec.name, isFloat, 'float32'), classes, filter), coordinates: 'input' };
    case 'tflite-ssd': {
      const read = (name: string) => tensor(outputs, name, isFloat, 'float32');
      const ssd = { boxes: read(spec.boxes), classes: read(spec.classes), scores: read(spec.scores), count: read(spec.count) };
      return { candidates: decodeTfliteSsd(ssd, { ...input, classes }, filter), coordinates: 'input' };
    }
  }
}

/** Maps a box from the decoder's coordinates to upright-image pixels. */
export function toImage(box: Box, coordinates: Coordinates, placement: Pick<Placement, 'width' | 'height'>, image: Size): Box {
  switch (coordinates) {
    case 'image':
      return box;
    case 'input':
      return inputToImage(box, placement, image);
    case 'normalized':
      return { x1: box.x1 * image.width, y1: box.y1 * image.height, x2: box.x2 * image.width, y2: box.y2 * image.height };
  }
}

/**
 * Candidates to detections: into image pixels, clipped, empty boxes dropped, then per-class NMS (when the spec or
 * the caller asks for it) and, unless `classAgnostic` is false, one label per object (SAME_OBJECT_IOU), at most
 * `maxDetections`, best first.
 */
export function toDetections(
  candidates: readonly Candidate[],
  coordinates: Coordinates,
  placement: Pick<Placement, 'width' | 'height'>,
  image: Size,
  names: readonly string[],
  { iou, maxDetections, nmsByDefault, classAgnostic = true }: { iou: number | undefined; maxDetections: number; nmsByDefault: boolean; classAgnostic?: boolean | undefined },
): Detection[] {
  const inImage: Candidate[] = [];
  for (const c of candidates) {
    const box = clip(toImage(c.box, coordinates, placement, image), image);
    if (area(box) > 0) inImage.push({ ...c, box });
  }
  const kept = selectDetections(inImage, {
    iou: iou ?? (nmsByDefault ? DEFAULT_IOU : undefined),
    agnosticIou: classAgnostic ? SAME_OBJECT_IOU : undefined,
    maxDetections,
  });
  const label = (i: number) => names[i] ?? String(i);
  return kept.map((c) => ({
    label: label(c.classIndex),
    index: c.classIndex,
    score: c.score,
    box: roundBox(c.box, 2),
    box_normalized: roundBox(normalize(c.box, image), 5),
    ...(c.alternatives?.length ? { alternatives: c.alternatives.map((a) => ({ label: label(a.classIndex), index: a.classIndex, score: a.score })) } : {}),
  }));
}

/** How many detections of each label, e.g. `{ person: 3, kite: 2 }` (labels in order of their best detection). */
export function countLabels(detections: readonly Pick<Detection, 'label'>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { label } of detections) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
