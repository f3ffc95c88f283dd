/**
 * The server side of the demo: takes the uploaded image and the task, and asks the cvkit worker through the SDK.
 * The API key (CVKIT_API_KEY) and the worker's address (CVKIT_BASE_URL) stay on the server: errors that would
 * reveal them (a worker that cannot be reached) are logged here and answered with a plain message.
 */
import { APIConnectionError, APIError, CVKit } from '@cvkit/sdk';

const cvkit = new CVKit({ baseURL: process.env.CVKIT_BASE_URL ?? 'http://127.0.0.1:8787', apiKey: process.env.CVKIT_API_KEY, maxRetries: 1 });

export async function POST(request: Request) {
  const form = await request.formData().catch(() => undefined);
  const image = form?.get('image');
  const task = form?.get('task');
  if (!(image instanceof Blob) || image.size === 0) return Response.json({ error: 'Choose an image first.' }, { status: 400 });
  try {
    switch (task) {
      case 'classify':
        return Response.json(await cvkit.classify(image, { top_k: 5 }));
      case 'detect':
        return Response.json(await cvkit.detect(image, { threshold: 0.5 }));
      case 'segment':
        return Response.json(await cvkit.segment(image, { mask: 'png' }));
      default:
        return Response.json({ error: 'task must be classify, detect or segment' }, { status: 400 });
    }
  } catch (err) {
    if (err instanceof APIConnectionError) {
      // The message names the worker's URL: keep it in the server log, not in the browser.
      console.error('cvkit worker unreachable:', err.message);
      return Response.json({ error: 'The vision service is not reachable right now. Please try again in a moment.', code: err.code }, { status: 503 });
    }
    // The worker's own errors are written for the person who sent the image: pass the useful part on.
    if (err instanceof APIError && err.status !== undefined) {
      return Response.json({ error: err.message, code: err.code, request_id: err.request_id }, { status: err.status });
    }
    console.error('analyze failed:', err);
    return Response.json({ error: 'Something went wrong while analysing the image.' }, { status: 500 });
  }
}
