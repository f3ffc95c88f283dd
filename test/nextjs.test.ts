/**
 * The Next.js example end to end: build it, serve it against the real worker, and drive it in headless Chromium
 * (Debian's chromium through playwright-core; no browser is downloaded). A person picks a fixture photo, chooses a
 * task, and sees the right labels, boxes over the photo, and the segmentation overlay. Screenshots land in
 * test-results/.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from './support/browser';
import { fixturesDir } from './support/fixtures';
import { freePort, repoRoot } from './support/worker-server';

const shots = resolve(repoRoot, 'test-results');
const apps: ChildProcess[] = [];
let url = '';
let browser: Browser;
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

/** `next start` on a free loopback port, talking to the worker at `workerUrl`. */
async function startNext(workerUrl: string): Promise<string> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = spawn('npx', ['next', 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: resolve(repoRoot, 'examples/nextjs'),
    env: { ...env, CVKIT_BASE_URL: workerUrl },
    stdio: 'ignore',
    detached: true,
  });
  apps.push(app);
  for (let i = 0; i < 120; i++) {
    if (await fetch(base).then((r) => r.ok, () => false)) break;
    await new Promise((ok) => setTimeout(ok, 250));
  }
  return base;
}

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build', '-w', '@cvkit/example-nextjs'], { cwd: repoRoot, env, maxBuffer: 1 << 24 });
  url = await startNext(inject('workerUrl'));
  browser = await launchChromium();
  mkdirSync(shots, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  for (const app of apps) if (app.pid) process.kill(-app.pid, 'SIGTERM');
});

async function analyze(photo: string, task: 'classify' | 'detect' | 'segment', base = url): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1100 } });
  await page.goto(base);
  await page.getByTestId('file').setInputFiles(photo);
  await page.getByTestId('task').selectOption(task);
  await page.getByTestId('analyze').click();
  // (Next.js renders its own role=alert route announcer: the error is found by its test id)
  await page.getByTestId('result').or(page.getByTestId('error')).waitFor({ timeout: 30_000 });
  return page;
}

describe('examples/nextjs in Chromium', () => {
  it('classify: a hot dog photo is labelled hotdog', async () => {
    const page = await analyze(join(fixturesDir, 'hot_dog.jpg'), 'classify');
    await expect.poll(() => page.getByTestId('result').locator('li').first().textContent()).toMatch(/^hotdog — \d/);
    await page.screenshot({ path: join(shots, 'nextjs-classify.png') });
    await page.close();
  });

  it('detect: two dogs, each with a box drawn over the photo', async () => {
    const page = await analyze(join(fixturesDir, 'pets.jpg'), 'detect');
    const items = await page.getByTestId('result').locator('li').allTextContents();
    expect(items.filter((t) => t.startsWith('dog —'))).toHaveLength(2);
    const boxes = page.getByTestId('box');
    expect(await boxes.count()).toBe(items.length);
    // the boxes sit over the photo, inside it
    const photo = await page.getByAltText('your image').boundingBox();
    for (const box of await boxes.all()) {
      const b = await box.boundingBox();
      expect(b && photo && b.x >= photo.x - 1 && b.y >= photo.y - 1 && b.x + b.width <= photo.x + photo.width + 1).toBe(true);
      expect(await box.textContent()).toMatch(/^dog 0\.\d\d$/);
    }
    await page.screenshot({ path: join(shots, 'nextjs-detect.png') });
    await page.close();
  });

  it('segment: the cat is found and the overlay is painted over the photo', async () => {
    const page = await analyze(join(fixturesDir, 'cat.png'), 'segment');
    await expect.poll(() => page.getByTestId('result').textContent()).toMatch(/cat — \d/);
    const overlay = page.getByTestId('segment-overlay');
    // some overlay pixels are coloured (not transparent)
    await expect
      .poll(() => overlay.evaluate((c: HTMLCanvasElement) => c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 3 && _ > 0).length))
      .toBeGreaterThan(1000);
    await page.screenshot({ path: join(shots, 'nextjs-segment.png') });
    await page.close();
  });

  it('a file that is not an image shows the API error to the person', async () => {
    const notImage = join(tmpdir(), 'not-an-image.jpg');
    writeFileSync(notImage, 'this is text, not a photo');
    const page = await analyze(notImage, 'classify');
    await expect.poll(() => page.getByTestId('error').textContent()).toMatch(/not a recognised image format/);
    // a sentence where the picture would be, not a broken-image icon
    await expect.poll(() => page.getByTestId('unviewable').textContent()).toBe('This file cannot be shown as a picture.');
    expect(await page.getByAltText('your image').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'nextjs-error.png') });
    await page.close();
  });

  it('a worker outage: a plain message, and the worker\'s internal URL never reaches the browser', async () => {
    const deadWorker = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    const base = await startNext(deadWorker);
    const bodies: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1100, height: 1100 } });
    page.on('response', (r) => void r.text().then((t) => bodies.push(t), () => {}));
    await page.goto(base);
    await page.getByTestId('file').setInputFiles(join(fixturesDir, 'hot_dog.jpg'));
    await page.getByTestId('task').selectOption('classify');
    await page.getByTestId('analyze').click();
    await expect.poll(() => page.getByTestId('error').textContent(), { timeout: 30_000 }).toBe('The vision service is not reachable right now. Please try again in a moment.');
    expect(await page.content()).not.toContain(deadWorker);
    expect(bodies.some((b) => b.includes('not reachable'))).toBe(true);
    expect(bodies.filter((b) => b.includes(deadWorker.slice(7)))).toEqual([]);
    await page.screenshot({ path: join(shots, 'nextjs-outage.png') });
    await page.close();
  });
});
