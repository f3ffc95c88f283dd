/** Small helpers for tests that talk HTTP: a loopback file server and a JSON POST. */
import { createServer, type RequestListener, type Server } from 'node:http';

export async function serve(handler: RequestListener): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}

export const postImage = (url: string, bytes: Uint8Array<ArrayBuffer>, type = 'image/png', init: RequestInit = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': type }, body: bytes, ...init });

export const postJson = (url: string, body: unknown, init: RequestInit = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...init });

export const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
