/**
 * Test processes fetch without keep-alive. A test that blocks its own event loop for seconds (the Node pipeline's
 * first WASM compile, building a 12-megapixel JPEG) outlives the server's idle keep-alive; the next fetch would
 * then reuse a socket the server has already closed and fail with "other side closed", depending on load. A fresh
 * loopback connection per request costs well under a millisecond and makes that impossible.
 */
import { Agent, setGlobalDispatcher } from 'undici';

// undici's global dispatcher is the one Node's built-in fetch uses; pipelining 0 disables keep-alive.
setGlobalDispatcher(new Agent({ pipelining: 0 }));
