/**
 * How test processes reach the worker under `wrangler dev`. Two artefacts of the local dev server, neither of which
 * exists in production, are taken out of the tests here, in one place:
 *
 * - No keep-alive. A test that blocks its own event loop for seconds (the Node pipeline's first WASM compile,
 *   building a 12-megapixel JPEG) outlives the server's idle keep-alive; the next fetch would then reuse a socket the
 *   server has already closed and fail with "other side closed", depending on load. A fresh loopback connection per
 *   request costs well under a millisecond and makes that impossible.
 * - A request that wrangler's dev proxy lost is sent again, once. The proxy (wrangler's ProxyWorker, in front of the
 *   workerd that runs cvkit) forwards each request over its own pooled connections to workerd; when one of those is
 *   lost it answers `503 text/plain "Your worker restarted mid-request..."` for every method but GET and HEAD, even
 *   when nothing restarted (it compares the request's full URL with the worker's bare origin). That answer is not
 *   cvkit's (cvkit's errors are JSON in the documented shape), and a worker that really crashed or restarted still
 *   fails the tests: the retry gets no answer either, and the tests that load the worker check that the isolate id
 *   on `/health` is the same before and after.
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

globalThis.fetch = async function fetchThroughDevProxy(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const res = await fetchOnce(input, init);
  // Only a request that can be sent again as it was: a URL with a body that is bytes or text, not a stream.
  const replayable = !(input instanceof Request) && !(init?.body instanceof ReadableStream);
  if (!replayable || !(await lostByProxy(res))) return res;
  console.warn(`test transport: wrangler dev's proxy lost ${init?.method ?? 'GET'} ${String(input)} on its way to workerd; sent again`);
  return fetchOnce(input, init);
};
