/**
 * GET /docs: the API reference page the worker renders from its OpenAPI document, opened in headless Chromium
 * (Debian's, through playwright-core) with every request that is not the worker's own refused, so a page that
 * needed a CDN would show it. The screenshot lands in test-results/docs.png.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from './support/browser';
import { repoRoot } from './support/worker-server';

const base = inject('workerUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());

describe('GET /docs', () => {
  it('is self-contained HTML: no script, no external asset', async () => {
    const res = await fetch(`${base}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await res.text();
    expect(html).not.toMatch(/<script|<link|@import|src="http|url\(/i);
  });

  it('renders every endpoint, option and error code in Chromium, offline', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const outside: string[] = [];
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith(base)) return route.continue();
      outside.push(route.request().url());
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${base}/docs`);
    expect(await page.title()).toBe('cvkit API reference');
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const section = page.locator(`#op-${op.operationId}`);
        expect((await section.locator('h2').innerText()).replace(/\s+/g, ' ')).toBe(`${method.toUpperCase()} ${path}`);
      }
    }
    const detect = page.locator('#op-detect');
    for (const option of ['threshold (query)', 'classes (query)', 'legend (query)', 'images']) expect(await detect.innerText()).toContain(option);
    for (const code of ['invalid_option', 'payload_too_large', 'fetch_failed', 'image_too_large']) expect(await detect.innerText()).toContain(code);
    expect(await page.locator('#schema-AnalyzeResponse').innerText()).toContain('results.classify');
    // Styled: the method badges have their colour, so the CSS applied.
    const badge = await page.locator('#op-detect .m-post').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(badge).toBe('rgb(36, 87, 214)');
    await page.locator('#op-detect').scrollIntoViewIfNeeded();
    mkdirSync(resolve(repoRoot, 'test-results'), { recursive: true });
    await page.screenshot({ path: resolve(repoRoot, 'test-results/docs.png') });
    await page.goto(`${base}/docs#op-analyze`);
    await page.screenshot({ path: resolve(repoRoot, 'test-results/docs-analyze.png') });
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
