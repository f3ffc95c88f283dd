/**
 * A small real HTTP server on 127.0.0.1 and a free port, for protocol and fault tests: each test gives a handler
 * that sees the raw request (body read in full) and answers however it likes, including badly.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Uint8Array;
}

export type LoopbackHandler = (req: LoopbackRequest, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface LoopbackServer {
  url: string;
  /** Every request seen, in order. */
  requests: LoopbackRequest[];
  setHandler(handler: LoopbackHandler): void;
  close(): Promise<void>;
}

export async function startLoopbackServer(handler: LoopbackHandler): Promise<LoopbackServer> {
  let current = handler;
  const requests: LoopbackRequest[] = [];
  const server = createServer(async (raw, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of raw) chunks.push(chunk as Buffer);
    const req = { method: raw.method ?? 'GET', path: raw.url ?? '/', headers: raw.headers, body: new Uint8Array(Buffer.concat(chunks)) };
    requests.push(req);
    try {
      await current(req, res, raw);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String(error) }));
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setHandler: (h) => (current = h),
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** Answers JSON with a status. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}
