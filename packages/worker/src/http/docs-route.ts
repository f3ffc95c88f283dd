/** GET /openapi.json and GET /docs: the API description and its reference page, both built once per isolate. */
import type { Hono } from 'hono';
import type { AppEnv } from './deps';
import { renderDocs } from './docs-page';
import { openApiDocument } from './openapi';

export function docsRoute(app: Hono<AppEnv>, version: string) {
  let page: string | undefined;
  app.get('/openapi.json', (c) => c.json(openApiDocument(version)));
  app.get('/docs', (c) => {
    page ??= renderDocs(openApiDocument(version));
    c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    return c.html(page);
  });
}
