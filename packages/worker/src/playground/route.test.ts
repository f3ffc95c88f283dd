import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../app';
import { playgroundRoute } from './route';

const app = new Hono<AppEnv>();
playgroundRoute(app, '9.9.9');

describe('GET /', () => {
  it('is one self-contained HTML page: nothing loaded from elsewhere, a CSP that allows only this worker', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('v9.9.9');
    // no external script, stylesheet, font or import
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(\s*['"]?https?:|fonts\.googleapis|cdn\./i);
    // the script only calls relative API paths
    expect(html).toContain("api('/v1/models')");
    expect(html).not.toMatch(/fetch\(\s*['"]https?:/);
  });

  it('the inlined script parses', async () => {
    const html = await (await app.request('/')).text();
    const script = html.slice(html.indexOf('<script>') + 8, html.lastIndexOf('</script>'));
    expect(script.length).toBeGreaterThan(1000);
    expect(() => new Function(script)).not.toThrow();
  });
});

describe('GET /favicon.ico', () => {
  it('answers 204 (no icon), cacheable, instead of a 404', async () => {
    const res = await app.request('/favicon.ico');
    expect(res.status).toBe(204);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(await res.text()).toBe('');
  });
});
