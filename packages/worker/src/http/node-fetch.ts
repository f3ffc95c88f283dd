/**
 * Node's image-URL fetch (createNodeApp): node:http(s) with a `lookup` that resolves the name, refuses the request
 * when an answer is not allowed by the URL policy (a public name that resolves to 127.0.0.1, 10.x or
 * 169.254.169.254), and hands the socket exactly the address it checked. The connection therefore goes to the
 * checked address, never to a second lookup's answer (no DNS-rebinding window). TLS still verifies the name.
 * Only what fetch-image.ts uses is implemented: GET, headers, redirect 'manual', signal.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import type { UrlPolicy } from './address';

/** Resolves a name to every address (node:dns `lookup` with `all: true`); injectable for tests. */
export type Resolve = (host: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (host) =>
  new Promise((ok, fail) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? fail(err) : ok(addresses))));

export function createNodeImageFetch(policy: UrlPolicy, resolve: Resolve = systemResolve): typeof fetch {
  const checkedLookup: LookupFunction = (host, options, callback) => {
    resolve(host).then(
      (addresses) => {
        // Every answer must pass: a resolver that mixes a public and a private address is refused.
        for (const a of addresses) {
          const refused = policy.refuseAddress(host, a.address);
          if (refused) return callback(Object.assign(new Error(`${host} resolved to ${a.address}: ${refused}`), { code: 'EREFUSED_ADDRESS' }), '', 0);
        }
        const first = addresses[0];
        if (!first) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), '', 0);
        if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [first]);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };

  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    return new Promise<Response>((ok, fail) => {
      const req = send(url, { method: 'GET', headers, lookup: checkedLookup, signal }, (res: IncomingMessage) => {
        const responseHeaders = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) for (const item of v) responseHeaders.append(k, item);
          else if (v !== undefined) responseHeaders.set(k, v);
        }
        const status = res.statusCode ?? 502;
        const body = status === 204 || status === 304 ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        ok(new Response(body, { status, headers: responseHeaders }));
      });
      req.on('error', fail);
      req.end();
    });
  };
}
