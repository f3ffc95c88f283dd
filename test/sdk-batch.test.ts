/**
 * The SDK's batch, analyze and model calls against the real worker (wrangler dev / workerd): what each sends (JSON
 * for URLs, multipart for bytes), typed results in request order, per-image and per-task errors as values, and
 * the checks it makes before sending.
 */
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { CVKit, CVKitError, BadRequestError, NotFoundError, UnprocessableEntityError, type DetectResponse } from '@cvkit/sdk';
import { fromFile } from '@cvkit/sdk/node';
import { fixture, fixturesDir } from './support/fixtures';
import { toBase64 } from './support/http';

const baseURL = inject('workerUrl');

/** A client that records the content type of what it sends. */
function recording() {
  const sent: string[] = [];
  const cv = new CVKit({
    baseURL,
    fetch: (input, init) => {
      const body = init?.body;
      sent.push(body instanceof FormData ? 'multipart' : String(new Headers(init?.headers).get('content-type')));
      return fetch(input, init);
    },
  });
  return { cv, sent };
}

describe('batches', () => {
  it('classifyBatch: bytes, a File and a data URL go up as one multipart request; results in order', async () => {
    const { cv, sent } = recording();
    const { results } = await cv.classifyBatch(
      [fixture('hot_dog.jpg'), await fromFile(resolve(fixturesDir, 'parrot.jpg')), `data:image/jpeg;base64,${toBase64(fixture('hot_dog.jpg'))}`],
      { top_k: 1 },
    );
    expect(sent).toEqual(['multipart']);
    const labels = results.map((r) => ('error' in r ? r.error.code : r.predictions[0]?.label));
    expect(labels).toEqual(['hotdog', 'macaw', 'hotdog']);
  });

  it('detectBatch: URLs only go up as JSON; a bad image is an item error, not a rejection', async () => {
    const { cv, sent } = recording();
    const { results } = await cv.detectBatch([`data:image/jpeg;base64,${toBase64(fixture('pets.jpg'))}`, 'data:image/jpeg;base64,AAAA'], { classes: ['dog'], threshold: 0.4 });
    expect(sent).toEqual(['application/json']);
    const [pets, bad] = results as [DetectResponse, { error: { code: string } }];
    expect(pets.detections).toHaveLength(2);
    expect(bad.error.code).toBe('unsupported_media_type');
  });

  it('segmentBatch returns typed segments with the one label spelling', async () => {
    const { results } = await new CVKit({ baseURL }).segmentBatch([fixture('pets.jpg')], { mask: 'none', classes: ['dog'] });
    const [first] = results;
    expect(first && !('error' in first) && first.segments.map((s) => s.label)).toEqual(['dog']);
  });

  it('checks the batch before sending it', async () => {
    const cv = new CVKit({ baseURL });
    await expect(cv.classifyBatch([])).rejects.toBeInstanceOf(CVKitError);
    await expect(cv.classifyBatch(Array.from({ length: 17 }, () => fixture('bird.png')))).rejects.toThrow(/at most 16/);
    await expect(cv.classifyBatch(['not a url'])).rejects.toBeInstanceOf(CVKitError);
  });
});

describe('analyze', () => {
  it('per-task options, bytes as multipart: each task\'s result or error under its name', async () => {
    const { cv, sent } = recording();
    const { results, image, timings } = await cv.analyze(fixture('pets.jpg'), { tasks: { classify: { top_k: 2 }, detect: { threshold: 0.4, classes: ['dog'] }, segment: { model: 'nope' } } });
    expect(sent).toEqual(['multipart']);
    expect(image).toEqual({ width: 512, height: 430 });
    expect(timings.decode_ms).toBeGreaterThan(0);
    const { classify, detect, segment } = results;
    expect(classify && !('error' in classify) && classify.predictions).toHaveLength(2);
    expect(detect && !('error' in detect) && detect.detections.map((d) => d.label)).toEqual(['dog', 'dog']);
    expect(segment && 'error' in segment && segment.error.code).toBe('model_not_found');
  });

  it('a task list with a URL goes up as JSON; a bad image rejects with the usual error class', async () => {
    const { cv, sent } = recording();
    const { results } = await cv.analyze(`data:image/png;base64,${toBase64(fixture('cat.png'))}`, { tasks: ['classify', 'segment'] });
    expect(sent).toEqual(['application/json']);
    expect(Object.keys(results)).toEqual(['classify', 'segment']);
    await expect(cv.analyze(fixture('pets.jpg').slice(0, 3000), { tasks: ['classify'] })).rejects.toBeInstanceOf(UnprocessableEntityError);
    // @ts-expect-error an unknown task is a type error, and a 400 at run time
    await expect(cv.analyze(fixture('pets.jpg'), { tasks: ['ocr'] })).rejects.toBeInstanceOf(BadRequestError);
  });
});

describe('models', () => {
  it('models({ task }) filters; models(request) still works', async () => {
    const cv = new CVKit({ baseURL });
    const { models } = await cv.models({ task: 'segment' });
    expect(models.length).toBeGreaterThan(0);
    expect(models.every((m) => m.task === 'segment')).toBe(true);
    expect((await cv.models({ headers: { 'x-request-id': 'x1' } })).models.length).toBeGreaterThan(models.length);
  });

  it('model(id) gives the label names; an unknown id is a NotFoundError', async () => {
    const cv = new CVKit({ baseURL });
    const detector = await cv.model('deimv2_hgnetv2_femto_coco');
    expect(detector.label_names).toHaveLength(80);
    expect(detector.label_names).toContain('motorcycle');
    await expect(cv.model('yolo9000')).rejects.toBeInstanceOf(NotFoundError);
  });
});
