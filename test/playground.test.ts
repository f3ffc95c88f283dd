/**
 * The playground at `/` in headless Chromium (Debian's, through playwright-core) against the real worker: a person
 * picks a photo for each task and sees the result drawn on it (for similar: two photos and how alike they are), the
 * timings and the equivalent calls; a file that is
 * no image shows the API's error; with API keys configured the page still loads and sends the key typed in.
 * Screenshots land in test-results/ (playground-*.png).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SegmentResponse } from '@cvkit/sdk';
import { launchChromium } from './support/browser';
import { fixturesDir } from './support/fixtures';
import { repoRoot, startWorker } from './support/worker-server';

const shots = resolve(repoRoot, 'test-results');
const workerUrl = inject('workerUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(shots, { recursive: true });
}, 60_000);
afterAll(() => browser?.close());

/** A page on the playground that records every request it makes. */
async function open(base = workerUrl): Promise<{ page: Page; requests: Array<{ url: string; headers: Record<string, string> }> }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: Array<{ url: string; headers: Record<string, string> }> = [];
  page.on('request', (r) => requests.push({ url: r.url(), headers: r.headers() }));
  await page.goto(base);
  return { page, requests };
}

async function analyze(page: Page, task: 'classify' | 'detect' | 'segment' | 'pose' | 'similar', photo: string): Promise<void> {
  await page.locator(`label:has([data-testid=task-${task}])`).click();
  await page.getByTestId('file').setInputFiles(photo);
  await page.locator(`[data-testid=results][data-state=done][data-task=${task}], [data-testid=results][data-state=error]`).waitFor({ timeout: 30_000 });
}

/** Pixels of the overlay canvas that are painted (alpha > 0). */
const paintedPixels = (page: Page) =>
  page.getByTestId('overlay').evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return { n, width: c.width, height: c.height };
  });

describe('the playground at / in Chromium', () => {
  it('classify: predictions as bars, the timings, and the same call as curl, SDK and CLI', async () => {
    const { page, requests } = await open();
    await expect.poll(() => page.getByTestId('model').locator('option').count()).toBeGreaterThan(0);
    await analyze(page, 'classify', join(fixturesDir, 'hot_dog.jpg'));
    const bars = page.getByTestId('bars').locator('li');
    expect(await bars.count()).toBe(5);
    expect(await bars.first().textContent()).toMatch(/^hotdog\d+\.\d%$/);
    const width = await bars.first().locator('.fill').evaluate((e) => (e as HTMLElement).style.width);
    expect(Number.parseFloat(width)).toBeGreaterThan(50);
    expect(await page.getByTestId('timings').textContent()).toMatch(/inference \d+(\.\d)? ms.*round trip \d+/);
    expect(await page.getByTestId('curl').textContent()).toBe(`curl -s ${workerUrl}/v1/classify \\\n  -F image=@hot_dog.jpg -F top_k=5`);
    expect(await page.getByTestId('sdk').textContent()).toContain("const result = await cv.classify(await fromFile('hot_dog.jpg'), { top_k: 5 });");
    expect(await page.getByTestId('cli').textContent()).toBe(`npx cvkit classify hot_dog.jpg --top-k 5 --base-url ${workerUrl}`);
    // every asset and call is this worker's: no CDN, no font service
    expect(requests.filter((r) => !r.url.startsWith(workerUrl) && !/^(data|blob):/.test(r.url))).toEqual([]);
    await page.screenshot({ path: join(shots, 'playground-classify.png'), fullPage: true });
    await page.close();
  });

  it('detect: two dogs, boxes with labels drawn on the photo, a legend', async () => {
    const { page } = await open();
    await analyze(page, 'detect', join(fixturesDir, 'pets.jpg'));
    const legend = await page.getByTestId('legend').locator('li').allTextContents();
    expect(legend.filter((t) => /^dog\d/.test(t))).toHaveLength(2);
    const painted = await paintedPixels(page);
    expect(painted).toMatchObject({ width: 512, height: 430 });
    expect(painted.n).toBeGreaterThan(2000); // box outlines and label tags
    expect(painted.n).toBeLessThan(512 * 430 * 0.5); // outlines, not filled boxes
    // the overlay lies exactly over the photo
    const [photo, overlay] = await Promise.all([page.getByTestId('photo').boundingBox(), page.getByTestId('overlay').boundingBox()]);
    expect(overlay).toEqual(photo);
    expect(await page.getByTestId('curl').textContent()).toContain('-F image=@pets.jpg -F threshold=0.5');
    await page.screenshot({ path: join(shots, 'playground-detect.png'), fullPage: true });
    await page.close();
  });

  it('segment: the class mask painted over the photo in the legend colours', async () => {
    const { page } = await open();
    await analyze(page, 'segment', join(fixturesDir, 'cat.png'));
    const legend = await page.getByTestId('legend').locator('li').allTextContents();
    expect(legend.some((t) => /^cat\d+%$/.test(t))).toBe(true);
    expect(legend.some((t) => t.startsWith('background'))).toBe(true);
    const painted = await paintedPixels(page);
    expect(painted.n).toBeGreaterThan(painted.width * painted.height * 0.1); // the cat covers a good part of the photo
    // the cat's pixels carry the cat's colour from the API's segments
    const answer = await fetch(`${workerUrl}/v1/segment?mask=none`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: readFileSync(join(fixturesDir, 'cat.png')) });
    const colour = ((await answer.json()) as SegmentResponse).segments.find((s) => s.label === 'cat')?.color;
    const rgb = [1, 3, 5].map((i) => Number.parseInt(colour!.slice(i, i + 2), 16));
    const found = await page.getByTestId('overlay').evaluate((c: HTMLCanvasElement, want: number[]) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && [0, 1, 2].every((k) => Math.abs(data[i + k]! - want[k]!) <= 3)) n++; // stored premultiplied: read back within a few levels
      return n;
    }, rgb);
    expect(found).toBeGreaterThan(painted.n * 0.5);
    await page.screenshot({ path: join(shots, 'playground-segment.png'), fullPage: true });
    // the overlay can be hidden
    await page.locator('#show-overlay').uncheck();
    expect(await page.getByTestId('overlay').evaluate((c) => getComputedStyle(c).visibility)).toBe('hidden');
    await page.close();
  });

  it('pose: both walkers listed with their scores, their skeletons drawn over the photo', async () => {
    const { page } = await open();
    await analyze(page, 'pose', join(fixturesDir, 'two_people_snow.png'));
    const people = await page.getByTestId('people').locator('li').allTextContents();
    expect(people.length).toBeGreaterThanOrEqual(2);
    for (const p of people.slice(0, 2)) expect(p).toMatch(/^person \d · (1[0-7]|[5-9])\/17 joints\d+\.\d%$/);
    expect(await page.locator('#side h2').textContent()).toBe(`${people.length} people`);
    const painted = await paintedPixels(page);
    expect(painted.n).toBeGreaterThan(1000); // limbs and joints
    expect(painted.n).toBeLessThan(painted.width * painted.height * 0.3); // lines, not areas
    const [photo, overlay] = await Promise.all([page.getByTestId('photo').boundingBox(), page.getByTestId('overlay').boundingBox()]);
    expect(overlay).toEqual(photo);
    expect(await page.getByTestId('timings').textContent()).toMatch(/inference \d+(\.\d)? ms/);
    expect(await page.getByTestId('curl').textContent()).toBe(`curl -s ${workerUrl}/v1/pose \\\n  -F image=@two_people_snow.png -F min_keypoint_score=0.3 -F max_people=6`);
    expect(await page.getByTestId('sdk').textContent()).toContain("const result = await cv.pose(await fromFile('two_people_snow.png'), { min_keypoint_score: 0.3, max_people: 6 });");
    expect(await page.getByTestId('cli').textContent()).toBe(`npx cvkit pose two_people_snow.png --max-people 6 --out skel.jpg --base-url ${workerUrl}`);
    await page.screenshot({ path: join(shots, 'playground-pose.png'), fullPage: true });
    await page.close();
  });

  it('similar: a photo with itself reads as the same picture, a bird and a hot dog as different', async () => {
    const { page } = await open();
    await page.locator('label:has([data-testid=task-similar])').click();
    await page.getByTestId('file2').setInputFiles(join(fixturesDir, 'bird.png'));
    await analyze(page, 'similar', join(fixturesDir, 'bird.png'));
    const same = Number(await page.getByTestId('similarity').textContent());
    expect(same).toBeGreaterThanOrEqual(0.99);
    expect(await page.getByTestId('similarity-reading').textContent()).toBe('the same picture');
    const thumbs = page.getByTestId('thumbs').locator('img');
    expect(await thumbs.count()).toBe(2);
    for (const i of [0, 1]) await expect.poll(() => thumbs.nth(i).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    expect(await page.getByTestId('curl').textContent()).toBe(`curl -s ${workerUrl}/v1/similarity \\\n  -F image=@bird.png -F image=@bird.png`);
    expect(await page.getByTestId('sdk').textContent()).toContain("const result = await cv.similarity([await fromFile('bird.png'), await fromFile('bird.png')]);");
    expect(await page.getByTestId('cli').textContent()).toBe(`npx cvkit similar bird.png bird.png --base-url ${workerUrl}`);
    await page.screenshot({ path: join(shots, 'playground-similar-same.png'), fullPage: true });
    // another second photo runs again at once
    await page.getByTestId('file2').setInputFiles(join(fixturesDir, 'hot_dog.jpg'));
    await expect.poll(() => page.getByTestId('cli').textContent()).toContain('similar bird.png hot_dog.jpg');
    const different = Number(await page.getByTestId('similarity').textContent());
    expect(different).toBeLessThan(same - 0.2);
    expect(await page.getByTestId('similarity-reading').textContent()).toBe('different');
    expect(await page.getByTestId('timings').textContent()).toMatch(/inference \d+(\.\d)? ms.*round trip \d+/);
    await page.screenshot({ path: join(shots, 'playground-similar-different.png'), fullPage: true });
    await page.close();
  });

  it('a file that is no image: the API error, cleanly, with its status and request id', async () => {
    const notImage = join(tmpdir(), 'playground-not-an-image.jpg');
    writeFileSync(notImage, 'this is text, not a photo');
    const { page } = await open();
    await analyze(page, 'classify', notImage);
    const error = page.getByTestId('error');
    await expect.poll(() => error.textContent()).toMatch(/not a recognised image format/);
    expect(await error.textContent()).toMatch(/HTTP 415 · unsupported_media_type · request id [\w-]+/);
    expect(await page.locator('#view').isVisible()).toBe(false);
    await page.screenshot({ path: join(shots, 'playground-error.png'), fullPage: true });
    await page.close();
  });
});

describe('the playground on a worker with API keys', () => {
  it('loads without a key, says where the key goes, and sends the key typed in', async () => {
    const locked = await startWorker({ vars: { API_KEYS: 'play-key' } });
    try {
      const { page, requests } = await open(locked.url);
      await expect.poll(() => page.getByTestId('error').textContent()).toMatch(/API key.*Enter an API key/s);
      await page.locator('details summary').click();
      await page.getByTestId('key').fill('play-key');
      await page.getByTestId('key').press('Enter'); // change -> models reload with the key
      await expect.poll(() => page.getByTestId('model').locator('option').count()).toBeGreaterThan(0);
      await analyze(page, 'classify', join(fixturesDir, 'parrot.jpg'));
      expect(await page.getByTestId('bars').locator('li').first().textContent()).toMatch(/^macaw/);
      const call = requests.find((r) => r.url.endsWith('/v1/classify'));
      expect(call?.headers.authorization).toBe('Bearer play-key');
      const curl = await page.getByTestId('curl').textContent();
      expect(curl).toContain('-H "authorization: Bearer $CVKIT_API_KEY"');
      expect(curl).not.toContain('play-key');
      await page.screenshot({ path: join(shots, 'playground-api-key.png'), fullPage: true });
      await page.close();
    } finally {
      await locked.stop();
    }
  }, 120_000);
});
