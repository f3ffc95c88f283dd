/**
 * `GET /`: the playground, a page to try the API in a browser. Open like /health (no API key: it holds no data);
 * the calls the page makes go to /v1/* and send the key the user types. The CSP lets the page talk only to this
 * worker and load nothing from elsewhere except the photo URL a user pastes.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../http/deps';
import { playgroundPage } from './page';

const CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data: blob: http: https:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function playgroundRoute(app: Hono<AppEnv>, version: string) {
  let page: string | undefined;
  app.get('/', (c) => {
    page ??= playgroundPage(version);
    return c.html(page, 200, { 'content-security-policy': CSP, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  });
  // Browsers ask for it beside every page: "no icon" (204), cached for a day, rather than a 404 in the console.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'cache-control': 'public, max-age=86400' }));
}
