/**
 * How test processes reach the worker under `wrangler dev`. Two artefacts of the local dev server, neither of which
 * exists in production, are taken out of the tests here, in one place:
 *
 * - No keep-alive. A test that blocks its own event loop for seconds (the Node pipeline's first WASM compile,
 *   building a 12-megapixel JPEG) outlives the server's idle keep-alive; the next fetch would then reuse a socket the
 *   server has already closed and fail with "other side closed", depending on load. A fresh loopback connection per
 *   request costs well under a millisecond and makes that impossible.
 * - A request that wrangler's dev proxy lost is sent again, at most three times. The proxy (wrangler's ProxyWorker,
 *   in front of the workerd that runs cvkit) forwards each request over its own pooled connections to workerd; when
 *   one of those is lost it answers `503 text/plain "Your worker restarted mid-request..."` for every method but GET
 *   and HEAD, even when nothing restarted (it compares the request's full URL with the worker's bare origin). Under
 *   bursts of refusals (503 overloaded at the admission bound) it loses several in a row. That answer is not
 *   cvkit's (cvkit's errors are JSON in the documented shape), and a worker that really crashed or restarted still
 *   fails the tests: the resends get no answer either, and the tests that load the worker check that the isolate id
 *   on `/health` is the same before and after. (The worst of it, thousands of loopback connections from wrangler's
 *   devtools proxy, is switched off where the worker is started: worker-server.ts, NO_DEVTOOLS_PROXY.)
 */
import { Agent, setGlobalDispatcher } from 'undici';

// undici's global dispatcher is the one Node's built-in fetch uses; pipelining 0 disables keep-alive.
setGlobalDispatcher(new Agent({ pipelining: 0 }));

const PROXY_LOST = 'Your worker restarted mid-request';
const fetchOnce = globalThis.fetch;

async function lostByProxy(res: Response): Promise<boolean> {
  if (res.status !== 503 || !res.headers.get('content-type')?.startsWith('text/plain')) return false;
  return (await res.clone().text()).startsWith(PROXY_LOST);
}

/** How many times one request is sent again after the proxy lost it. */
const RESENDS = 3;

globalThis.fetch = async function fetchThroughDevProxy(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  let res = await fetchOnce(input, init);
  // Only a request that can be sent again as it was: a URL with a body that is bytes or text, not a stream.
  const replayable = !(input instanceof Request) && !(init?.body instanceof ReadableStream);
  for (let resend = 1; replayable && resend <= RESENDS && (await lostByProxy(res)); resend++) {
    console.warn(`test transport: wrangler dev's proxy lost ${init?.method ?? 'GET'} ${String(input)} on its way to workerd; sent again (${resend} of ${RESENDS})`);
    res = await fetchOnce(input, init);
  }
  return res;
};
