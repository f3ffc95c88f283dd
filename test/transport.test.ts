/** The test transport (test/support/transport.ts): what it sends again and what it leaves alone. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serve } from './support/http';

let server: Awaited<ReturnType<typeof serve>>;
const seen: string[] = [];
let lose = 0;
beforeAll(async () => {
  server = await serve((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${body}`);
      if (req.url === '/cvkit-503') {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"overloaded","message":"busy"}}');
      } else if (lose > 0) {
        lose--;
        res.writeHead(503, { 'content-type': 'text/plain;charset=UTF-8', 'retry-after': '0' }).end('Your worker restarted mid-request. Please try sending the request again. Only GET or HEAD requests are retried automatically.');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ body }));
      }
    });
  });
});
afterAll(() => server.close());

it('sends a POST that the dev proxy lost again, with the same body', async () => {
  seen.length = 0;
  lose = 1;
  const res = await fetch(`${server.url}/v1/classify`, { method: 'POST', body: 'bytes' });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ body: 'bytes' });
  expect(seen).toEqual(['POST /v1/classify bytes', 'POST /v1/classify bytes']);
});

it('gives the fourth loss in a row to the test, and never resends cvkit\'s own 503', async () => {
  lose = 4;
  expect((await fetch(`${server.url}/v1/detect`, { method: 'POST', body: 'x' })).status).toBe(503);
  lose = 0;
  seen.length = 0;
  const res = await fetch(`${server.url}/cvkit-503`, { method: 'POST', body: 'x' });
  expect(res.status).toBe(503);
  expect(seen).toHaveLength(1);
});
