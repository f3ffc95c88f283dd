/**
 * Examples in the OpenAPI document: requests and answers as the worker gives them (shortened). The OpenAPI test
 * parses every answer example with its contract schema, so they cannot drift from the wire format.
 */
import { type ErrorBody, type ErrorCode, ErrorStatus, type KeypointName } from '@cvkit/sdk/contract';

const timings = { decode_ms: 4, preprocess_ms: 3, inference_ms: 33, postprocess_ms: 0, encode_ms: 0, total_ms: 41 };

const classifier = {
  id: 'mobilenet_v2_1.0_224_quant', task: 'classify' as const, tier: 'edge' as const, tiers: ['edge' as const], runtime: 'litert', default: true, input: { width: 224, height: 224 },
  labels: 1001, license: 'Apache-2.0', accuracy: '70.8% ImageNet top-1', bytes: 3571773,
};
const detector = {
  id: 'deimv2_hgnetv2_femto_coco', task: 'detect' as const, tier: 'edge' as const, tiers: ['edge' as const], runtime: 'ort-web', default: true, input: { width: 416, height: 416 },
  labels: 80, license: 'Apache-2.0', accuracy: '31.0 COCO AP', bytes: 4116144,
};
const segmenter = {
  id: 'deeplabv3_mnv2_dm05_pascal_quant', task: 'segment' as const, tier: 'edge' as const, tiers: ['edge' as const], runtime: 'litert', default: true, input: { width: 513, height: 513 },
  labels: 21, license: 'Apache-2.0', accuracy: '69.65% PASCAL VOC 2012 val mIoU', bytes: 744695,
};

const poser = {
  id: 'movenet_single_pose_lightning', task: 'pose' as const, tier: 'edge' as const, tiers: ['edge' as const], runtime: 'litert', default: true, input: { width: 192, height: 192 },
  labels: 17, license: 'Apache-2.0', accuracy: 'MoveNet SinglePose model card (COCO val 2017 single-person subset); squat fixture within 18 px of the published reference', bytes: 2894840,
};

const classify = {
  task: 'classify' as const, model: classifier, image: { width: 512, height: 384 },
  predictions: [
    { label: 'hotdog', index: 935, score: 0.8515625, synset: 'hotdog, hot dog, red hot' },
    { label: 'potpie', index: 965, score: 0.03515625, synset: 'potpie' },
  ],
  timings,
};

const detect = {
  task: 'detect' as const, model: detector, image: { width: 640, height: 480 },
  detections: [
    { label: 'dog', index: 16, score: 0.91, box: { x1: 12.5, y1: 40, x2: 300.2, y2: 470 }, box_normalized: { x1: 0.0195, y1: 0.0833, x2: 0.469, y2: 0.979 } },
    { label: 'dog', index: 16, score: 0.88, box: { x1: 320, y1: 60.4, x2: 630, y2: 478 }, box_normalized: { x1: 0.5, y1: 0.126, x2: 0.984, y2: 0.996 }, alternatives: [{ label: 'cat', index: 15, score: 0.31 }] },
  ],
  counts: { dog: 2 },
  timings: { ...timings, inference_ms: 68, total_ms: 80 },
};

const segment = {
  task: 'segment' as const, model: segmenter, image: { width: 512, height: 384 },
  segments: [
    { label: 'background', index: 0, pixels: 120000, fraction: 0.61, box: { x1: 0, y1: 0, x2: 512, y2: 384 }, color: '#000000' },
    { label: 'cat', index: 8, pixels: 76608, fraction: 0.39, box: { x1: 80, y1: 40, x2: 430, y2: 384 }, color: '#400000' },
  ],
  mask: { encoding: 'none' as const },
  timings: { ...timings, inference_ms: 106, total_ms: 132 },
};

export function errorExample(code: ErrorCode): ErrorBody {
  const messages: Record<ErrorCode, string> = {
    invalid_request: 'The JSON body needs an `image` string: an http(s) URL, a data: URL or base64 (or `images`, a list of them).',
    invalid_json: 'The request body is not valid JSON.',
    invalid_option: 'Invalid options: threshold: Too big: expected number to be <=1.',
    unauthorized: 'Missing API key: send `Authorization: Bearer <key>`.',
    model_not_found: "No detect model 'yolo9000'. Available: deimv2_hgnetv2_femto_coco, yolox_nano, deimv2_hgnetv2_atto_coco.",
    not_found: 'No route GET /v2/everything. See GET /v1/models and the README\'s API table.',
    method_not_allowed: 'GET is not allowed on /v1/detect; use POST.',
    payload_too_large: 'The request body is 20 MiB; the limit is 14 MiB.',
    request_timeout: 'The request body was not received in time: send the whole body promptly.',
    overloaded: 'The worker is busy: 16 requests are waiting. Retry after the Retry-After delay.',
    unsupported_media_type: "Unsupported content type 'text/plain'. Send the image as image/*, JSON {\"image\": ...} or multipart/form-data.",
    invalid_image: 'The image is truncated or corrupt.',
    image_too_large: 'The image is 8000x6000; the limit is 24 megapixels for JPEG.',
    fetch_failed: 'Could not fetch the image URL https://example.com/x.jpg: it answered HTTP 404.',
    rate_limited: 'Too many requests; retry after the time in Retry-After.',
    internal_error: 'Internal error; the request id identifies it in the logs.',
    upstream_error: 'The GPU tier answered with an error.',
    upstream_unavailable: 'The GPU tier is unavailable.',
    timeout: 'The GPU tier did not answer in time.',
  };
  return {
    error: {
      code, message: messages[code], request_id: '6f1c2f3e-8a41-4d38-9c2e-0b7f0c5e2a11', retryable: code === 'rate_limited' || ErrorStatus[code] >= 500,
      ...(code === 'invalid_option' ? { issues: [{ path: 'threshold', message: 'Too big: expected number to be <=1' }] } : {}),
    },
  };
}

// squat.png (500x610), as /v1/pose answers it (scores and pixels rounded)
const squatKeypoints: [string, number, number, number][] = [
  ['nose', 299, 207, 0.57], ['left_eye', 291, 196, 0.91], ['right_eye', 280, 188, 0.7], ['left_ear', 275, 196, 0.64], ['right_ear', 248, 196, 0.7],
  ['left_shoulder', 288, 249, 0.7], ['right_shoulder', 209, 244, 0.75], ['left_elbow', 352, 305, 0.88], ['right_elbow', 270, 313, 0.43],
  ['left_wrist', 344, 244, 0.5], ['right_wrist', 326, 252, 0.43], ['left_hip', 201, 372, 0.88], ['right_hip', 129, 372, 0.7],
  ['left_knee', 291, 406, 0.8], ['right_knee', 198, 414, 0.8], ['left_ankle', 264, 499, 0.75], ['right_ankle', 158, 547, 0.75],
];
const pose = {
  task: 'pose' as const, model: poser, image: { width: 500, height: 610 },
  people: [
    {
      score: 0.81,
      box: { x1: 106.2, y1: 135.4, x2: 365.1, y2: 598.3 },
      keypoints: squatKeypoints.map(([name, x, y, score]) => ({ name: name as KeypointName, x, y, score })),
    },
  ],
  timings: { decode_ms: 6, preprocess_ms: 4, inference_ms: 105, postprocess_ms: 1, encode_ms: 0, total_ms: 118 },
};

export const examples = {
  classify,
  pose,
  poseBatch: { results: [pose, errorExample('invalid_image')] },
  detect,
  segment,
  classifyBatch: { results: [classify, errorExample('fetch_failed')] },
  detectBatch: { results: [detect, errorExample('invalid_image')] },
  segmentBatch: { results: [segment] },
  analyze: {
    task: 'analyze' as const, image: { width: 512, height: 384 },
    results: { classify: { ...classify, predictions: classify.predictions.slice(0, 1) }, detect: errorExample('invalid_option') },
    timings: { decode_ms: 4, total_ms: 120 },
  },
  models: { models: [classifier, detector, segmenter] },
  modelDetail: {
    ...segmenter,
    label_names: ['background', 'airplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow', 'dining table', 'dog', 'horse', 'motorcycle', 'person', 'potted plant', 'sheep', 'couch', 'train', 'tv'],
    label_aliases: { aeroplane: 'airplane', diningtable: 'dining table', motorbike: 'motorcycle', pottedplant: 'potted plant', sofa: 'couch', tvmonitor: 'tv' },
  },
  health: { status: 'ok' as const, version: '0.1.0', isolate: '0b5e0a52-3f0e-4a57-9f43-2a1c1d3f4e5d', gpu: { configured: false } },
  requests: {
    classify: {
      url: { summary: 'An image URL', value: { image: 'https://upload.wikimedia.org/wikipedia/commons/3/3a/Cat03.jpg', top_k: 3 } },
      batch: { summary: 'A batch', value: { images: ['https://example.com/a.jpg', 'data:image/png;base64,iVBORw0KGgo...'], top_k: 1 } },
    },
    detect: {
      url: { summary: 'Some classes', value: { image: 'https://example.com/street.jpg', threshold: 0.4, classes: ['person', 'car'] } },
      annotate: { summary: 'With the drawn picture as a data URL and a legend', value: { image: 'data:image/jpeg;base64,/9j/4AAQ...', annotate: true, legend: true } },
    },
    segment: { rle: { summary: 'RLE masks of two classes', value: { image: 'https://example.com/pets.jpg', mask: 'rle', classes: 'cat,dog' } } },
    analyze: {
      object: { summary: 'Per-task options', value: { image: 'https://example.com/pets.jpg', tasks: { classify: { top_k: 3 }, detect: { threshold: 0.3 } } } },
      list: { summary: 'Default options', value: { image: 'https://example.com/pets.jpg', tasks: ['classify', 'detect', 'segment'] } },
    },
  },
};
