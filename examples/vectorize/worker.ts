/**
 * A Worker that indexes photos into Cloudflare Vectorize and searches them by image, with cvkit computing the
 * embeddings (a service binding to the cvkit worker, or its URL). Deploy: examples/vectorize/README.md.
 *
 *   POST /index   multipart form, one or more image files (the file name is the id)  -> { added, failed }
 *   POST /query   the image as the body (?top_k=5)                                    -> { matches }
 */
import { APIError, CVKit } from '@cvkit/sdk';
import { createImageSearch } from './search';

export interface Env {
  VECTORIZE: Pick<Vectorize, 'upsert' | 'query'>;
  /** A service binding to the cvkit worker (no public hop), or else its URL in CVKIT_URL. */
  CVKIT?: Fetcher;
  CVKIT_URL?: string;
  CVKIT_API_KEY?: string;
}

const json = (body: unknown, status = 200) => Response.json(body, { status });

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const binding = env.CVKIT;
    const cv = new CVKit({
      baseURL: env.CVKIT_URL ?? 'https://cvkit.internal',
      apiKey: env.CVKIT_API_KEY,
      ...(binding ? { fetch: (input: RequestInfo | URL, init?: RequestInit) => binding.fetch(input, init) } : {}),
    });
    const search = createImageSearch({ cv, index: env.VECTORIZE });
    try {
      return await route(request, url, search);
    } catch (err) {
      // cvkit's answer (a bad image, an unknown model) passes through with its status; anything else is a 500.
      if (err instanceof APIError && err.status !== undefined) return json({ error: err.message }, err.status);
      throw err;
    }
  },
};

async function route(request: Request, url: URL, search: ReturnType<typeof createImageSearch>): Promise<Response> {
  if (request.method === 'POST' && url.pathname === '/index') {
    const form = await request.formData();
    const files = [...form.values()].filter((v): v is File => typeof v !== 'string');
    if (files.length === 0) return json({ error: 'send one or more image files as multipart form fields' }, 400);
    return json(await search.add(files.map((file) => ({ id: file.name, image: file, metadata: { bytes: file.size } }))));
  }
  if (request.method === 'POST' && url.pathname === '/query') {
    // Vectorize returns at most 20 matches with metadata.
    const topK = Math.min(20, Math.max(1, Math.trunc(Number(url.searchParams.get('top_k') ?? 5)) || 5));
    return json({ matches: await search.query(await request.arrayBuffer(), { topK }) });
  }
  return json({ error: 'POST /index (multipart image files) or POST /query (an image body)' }, 404);
}
