/**
 * Pose end to end: the real worker bundle in workerd (wrangler dev, started by the global setup), MoveNet SinglePose
 * Lightning on LiteRT.js with the default detector's people, on the shared fixture photos: the references, pictures,
 * batches, /v1/analyze reusing detect's boxes, the model listing, and bad options.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { CVKit } from '@cvkit/sdk';
import { AnalyzeResponse, DetectResponse, ErrorBody, ModelDetail, ModelList, type Person, PoseBatchResponse, PoseResponse } from '@cvkit/sdk/contract';
import { decodeImage } from '../packages/worker/src/image/decode';
import { fixture, fixturesDir } from './support/fixtures';
import { postImage, postJson, toBase64 } from './support/http';
import { rotatedJpeg, wideCanvas } from './support/pose-images';

const base = inject('workerUrl');
const MODEL = 'movenet_single_pose_lightning';
const typeOf = (name: string) => (name.endsWith('.png') ? 'image/png' : 'image/jpeg');
const dataUrl = (name: string) => `data:${typeOf(name)};base64,${toBase64(fixture(name))}`;

async function pose(bytes: Uint8Array<ArrayBuffer>, type: string, query = ''): Promise<PoseResponse> {
  const res = await postImage(`${base}/v1/pose${query}`, bytes, type);
  expect(res.status, await res.clone().text()).toBe(200);
  return PoseResponse.parse(await res.json());
}
const cache = new Map<string, Promise<PoseResponse>>();
const poseFixture = (name: string) => {
  let hit = cache.get(name);
  if (!hit) cache.set(name, (hit = pose(fixture(name), typeOf(name))));
  return hit;
};

/** A reference CSV's poses: x and y scaled from 0..1 to the image's pixels. */
function reference(name: string, size: { width: number; height: number }) {
  const rows = readFileSync(resolve(fixturesDir, '../pose', name), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  const poses: { x: number; y: number; score: number }[][] = [];
  for (const [id = 0, , , score = 0, x = 0, y = 0] of rows) (poses[id] ??= []).push({ x: x * size.width, y: y * size.height, score });
  return poses;
}
const distance = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);
const height = (kps: readonly { y: number }[]) => Math.max(...kps.map((k) => k.y)) - Math.min(...kps.map((k) => k.y));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const boxKey = (b: { x1: number; y1: number; x2: number; y2: number }) => [b.x1, b.y1, b.x2, b.y2].map((v) => v.toFixed(1)).join(',');

function expectWellFormed(body: PoseResponse) {
  const scores = body.people.map((p) => p.score);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  for (const p of body.people) {
    expect(p.keypoints).toHaveLength(17);
    for (const k of p.keypoints) {
      expect(k.x).toBeGreaterThanOrEqual(0);
      expect(k.x).toBeLessThanOrEqual(body.image.width);
      expect(k.y).toBeGreaterThanOrEqual(0);
      expect(k.y).toBeLessThanOrEqual(body.image.height);
    }
  }
}

describe('POST /v1/pose in workerd, on real photos', () => {
  it('lists MoveNet for task=pose, edge only on LiteRT.js, with the keypoints and the skeleton in its detail', async () => {
    const { models } = ModelList.parse(await (await fetch(`${base}/v1/models?task=pose`)).json());
    expect(models.map((m) => m.id)).toEqual([MODEL]);
    expect(models[0]).toMatchObject({ task: 'pose', default: true, tier: 'edge', tiers: ['edge'], runtime: 'litert', input: { width: 192, height: 192 }, labels: 17 });
    const detail = ModelDetail.parse(await (await fetch(`${base}/v1/models/${MODEL}`)).json());
    expect(detail.keypoints?.[0]).toBe('nose');
    expect(detail.keypoints).toHaveLength(17);
    expect(detail.skeleton).toHaveLength(19);
    expect(detail.label_names).toEqual(detail.keypoints);
  });

  it('squat.png: one man, keypoints near MoveNet\'s published reference', async () => {
    const body = await poseFixture('squat.png');
    expectWellFormed(body);
    expect(body.model).toMatchObject({ id: MODEL, tier: 'edge', runtime: 'litert' });
    expect(body.people).toHaveLength(1);
    const ref = reference('squat_movenet_lightning_reference.csv', body.image)[0] ?? [];
    const off = (body.people[0] as Person).keypoints.map((k, i) => distance(k, ref[i] as { x: number; y: number }) / height(ref));
    expect(median(off), off.map((d) => d.toFixed(3)).join(' ')).toBeLessThanOrEqual(0.04);
    expect(Math.max(...off)).toBeLessThanOrEqual(0.09);
  });

  it('two_people_snow.png: both walkers, each within a few percent of their height of PoseNet\'s keypoints', async () => {
    const body = await poseFixture('two_people_snow.png');
    expectWellFormed(body);
    expect(body.people).toHaveLength(2);
    for (const ref of reference('two_people_snow_posenet_reference.csv', body.image)) {
      const person = [...body.people].sort((a, b) => distance(a.keypoints[0]!, ref[0]!) - distance(b.keypoints[0]!, ref[0]!))[0] as Person;
      const h = height(ref.filter((k) => k.score >= 0.5));
      const off = person.keypoints.flatMap((k, i) => (k.score >= 0.3 && (ref[i]?.score ?? 0) >= 0.5 ? [distance(k, ref[i]!) / h] : []));
      expect(off.length).toBeGreaterThanOrEqual(10);
      expect(median(off)).toBeLessThanOrEqual(0.04);
      expect(Math.max(...off)).toBeLessThanOrEqual(0.1);
    }
  });

  it('people in grace_hopper.png and kite_and_cold.jpg; nobody in bird.png and hot_dog.jpg', async () => {
    const grace = await poseFixture('grace_hopper.png');
    expectWellFormed(grace);
    expect(grace.people.length).toBeGreaterThanOrEqual(1);
    const [nose, leftEye, rightEye] = (grace.people[0] as Person).keypoints;
    expect(nose!.score).toBeGreaterThanOrEqual(0.3);
    expect(leftEye!.x).toBeGreaterThan(rightEye!.x); // her left eye is on the image's right
    const kite = await poseFixture('kite_and_cold.jpg');
    expectWellFormed(kite);
    expect(kite.people.length).toBeGreaterThanOrEqual(2);
    for (const name of ['bird.png', 'hot_dog.jpg']) expect((await poseFixture(name)).people, name).toEqual([]);
  });

  it('an EXIF-rotated JPEG and a very wide photo answer in their own upright pixels', async () => {
    const upright = await decodeImage(fixture('squat.png'));
    const [squat] = (await poseFixture('squat.png')).people as [Person];
    const h = height(squat.keypoints);
    const rotated = await pose(rotatedJpeg(upright), 'image/jpeg');
    expect(rotated.image).toEqual({ width: 500, height: 610 });
    expect(rotated.people).toHaveLength(1);
    expect(Math.max(...rotated.people[0]!.keypoints.map((k, i) => distance(k, squat.keypoints[i]!) / h))).toBeLessThanOrEqual(0.06);
    const wide = await pose(wideCanvas(upright, 2400, 1500), 'image/png');
    expect(wide.image).toEqual({ width: 2400, height: 610 });
    expect(wide.people).toHaveLength(1);
    const shifted = squat.keypoints.map((k) => ({ x: k.x + 1500, y: k.y }));
    expect(Math.max(...wide.people[0]!.keypoints.map((k, i) => distance(k, shifted[i]!) / h))).toBeLessThanOrEqual(0.08);
  });
});

describe('pose pictures', () => {
  it('Accept: image/png draws the skeletons on the photo at its size, with x-people', async () => {
    const res = await postImage(`${base}/v1/pose`, fixture('two_people_snow.png'), 'image/png', { headers: { 'content-type': 'image/png', accept: 'image/png' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-people')).toBe('2');
    expect(res.headers.get('server-timing')).toMatch(/inference;dur=/);
    const drawn = await decodeImage(new Uint8Array(await res.arrayBuffer()));
    const photo = await decodeImage(fixture('two_people_snow.png'));
    expect([drawn.width, drawn.height]).toEqual([photo.width, photo.height]);
    // Every joint seen is drawn: the pixel under it changed; far from everyone (a corner) nothing changed.
    const json = await poseFixture('two_people_snow.png');
    const at = (img: typeof photo, x: number, y: number) => Array.from(img.rgba.subarray((Math.round(y) * img.width + Math.round(x)) * 4, (Math.round(y) * img.width + Math.round(x)) * 4 + 3));
    for (const p of json.people) for (const k of p.keypoints.filter((k) => k.score >= 0.3)) expect(at(drawn, k.x, k.y)).not.toEqual(at(photo, k.x, k.y));
    expect(at(drawn, 2, 2)).toEqual(at(photo, 2, 2));
  });

  it('format=image answers a JPEG photo with a JPEG; legend=true changes the picture', async () => {
    const plain = await postImage(`${base}/v1/pose?format=image`, fixture('kite_and_cold.jpg'), 'image/jpeg');
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('image/jpeg');
    const withLegend = await postImage(`${base}/v1/pose?format=image&legend=true`, fixture('kite_and_cold.jpg'), 'image/jpeg');
    expect(Buffer.from(await withLegend.arrayBuffer()).equals(Buffer.from(await plain.arrayBuffer()))).toBe(false);
  });
});

describe('pose batches and analyze', () => {
  it('a JSON batch answers each image in order', async () => {
    const res = await postJson(`${base}/v1/pose`, { images: [dataUrl('squat.png'), dataUrl('bird.png')], max_people: 2 });
    expect(res.status).toBe(200);
    const { results } = PoseBatchResponse.parse(await res.json());
    expect(results.map((r) => ('people' in r ? r.people.length : -1))).toEqual([1, 0]);
  });

  it('analyze with detect and pose (in either order) reuses detect\'s person boxes instead of detecting again', async () => {
    const alone = await poseFixture('kite_and_cold.jpg');
    for (const tasks of ['detect,pose', 'pose,detect']) {
      const res = await postImage(`${base}/v1/analyze?tasks=${tasks}`, fixture('kite_and_cold.jpg'), 'image/jpeg');
      expect(res.status).toBe(200);
      const body = AnalyzeResponse.parse(await res.json());
      const detect = DetectResponse.parse(body.results.detect);
      const posed = PoseResponse.parse(body.results.pose);
      const detected = new Set(detect.detections.filter((d) => d.label === 'person').map((d) => boxKey(d.box)));
      expect(posed.people.length).toBeGreaterThanOrEqual(1);
      // Every person's box is one of detect's (threshold 0.5) ...
      for (const p of posed.people) expect(detected.has(boxKey(p.box)), boxKey(p.box)).toBe(true);
      // ... while /v1/pose alone asks the detector for people from 0.3, and finds one detect did not report.
      expect(alone.people.some((p) => !detected.has(boxKey(p.box)))).toBe(true);
    }
  });

  it('analyze answers pose alone, and refuses pictures for it', async () => {
    const res = await postJson(`${base}/v1/analyze`, { image: dataUrl('squat.png'), tasks: { pose: { max_people: 1 }, classify: {} } });
    const body = AnalyzeResponse.parse(await res.json());
    expect(PoseResponse.parse(body.results.pose).people).toHaveLength(1);
    const picture = await postJson(`${base}/v1/analyze`, { image: dataUrl('squat.png'), tasks: { pose: { format: 'image' } } });
    expect(ErrorBody.parse((await picture.json() as AnalyzeResponse).results.pose).error.code).toBe('invalid_option');
  });
});

describe('the SDK', () => {
  it('cv.pose gives typed people, the picture as a Blob with format: image, and poseBatch a result per image', async () => {
    const cv = new CVKit({ baseURL: base });
    const { people, image } = await cv.pose(fixture('two_people_snow.png'), { max_people: 2 });
    expect(image).toEqual({ width: 640, height: 480 });
    expect(people).toHaveLength(2);
    expect(people[0]?.keypoints.map((k) => k.name).slice(0, 3)).toEqual(['nose', 'left_eye', 'right_eye']);
    const { data: picture, response } = await cv.pose(fixture('squat.png'), { format: 'image' }).withResponse();
    expect(picture.type).toBe('image/png');
    expect(response.headers.get('x-people')).toBe('1');
    const { results } = await cv.poseBatch([fixture('squat.png'), fixture('hot_dog.jpg')]);
    expect(results.map((r) => ('people' in r ? r.people.length : -1))).toEqual([1, 0]);
    await expect(cv.pose(fixture('squat.png'), { max_people: 0 })).rejects.toMatchObject({ status: 400 });
  });
});

describe('pose: bad options', () => {
  it.each([
    ['min_keypoint_score=2', 'min_keypoint_score'],
    ['min_person_score=-0.1', 'min_person_score'],
    ['max_people=0', 'max_people'],
    ['max_people=2.5', 'max_people'],
    ['format=svg', 'format'],
    ['skeleton=true', 'skeleton'],
  ])('%s: 400 naming the option', async (query, name) => {
    const res = await postImage(`${base}/v1/pose?${query}`, fixture('bird.png'), 'image/png');
    expect(res.status).toBe(400);
    const { error } = ErrorBody.parse(await res.json());
    expect(error.code).toBe('invalid_option');
    expect(error.message).toContain(name);
  });

  it('a detect model is not a pose model: 404 naming the right endpoint', async () => {
    const res = await postImage(`${base}/v1/pose?model=yolox_nano`, fixture('bird.png'), 'image/png');
    expect(res.status).toBe(404);
    expect(ErrorBody.parse(await res.json()).error.message).toContain('/v1/detect');
  });
});
