/**
 * The server side of the demo: takes the uploaded image and the task, and asks the cvkit worker through the SDK.
 * The API key (CVKIT_API_KEY) and the worker's address (CVKIT_BASE_URL) stay on the server.
 */
import { APIError, CVKit } from '@cvkit/sdk';

const cvkit = new CVKit({ baseURL: process.env.CVKIT_BASE_URL ?? 'http://127.0.0.1:8787', apiKey: process.env.CVKIT_API_KEY, maxRetries: 1 });

export async function POST(request: Request) {
  const form = await request.formData();
  const image = form.get('image');
  const task = form.get('task');
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
    // The SDK's errors carry the worker's status, code and request id: pass the useful part on.
    if (err instanceof APIError) return Response.json({ error: err.message, code: err.code, request_id: err.request_id }, { status: err.status ?? 502 });
    throw err;
  }
}
