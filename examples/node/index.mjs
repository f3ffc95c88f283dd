/**
 * cvkit from Node with @cvkit/sdk: a local file, then bytes you already hold, people's joints and an image embedding,
 * then an error you can catch by class.
 *
 *   npm start                                         # the worker, in another terminal
 *   npm run build -w @cvkit/sdk                       # the SDK's dist (once)
 *   node examples/node/index.mjs ../shared/fixtures/images/pets.jpg
 *
 * CVKIT_BASE_URL and CVKIT_API_KEY configure the client (default here: the local worker).
 */
import { readFile } from 'node:fs/promises';
import { CVKit, NotFoundError, cosineSimilarity } from '@cvkit/sdk';
import { fromFile } from '@cvkit/sdk/node';

const path = process.argv[2];
if (!path) {
  console.error('usage: node examples/node/index.mjs <image>');
  process.exit(2);
}

const cv = new CVKit({ baseURL: process.env.CVKIT_BASE_URL ?? 'http://127.0.0.1:8787' });
const pct = (score) => `${(score * 100).toFixed(1)}%`;

// 1. A file on disk: fromFile gives a File with the right content type, sent as the raw request body.
const classified = await cv.classify(await fromFile(path), { top_k: 3 });
console.log(`classify (${classified.model.id}, ${classified.image.width}x${classified.image.height}):`);
for (const p of classified.predictions) console.log(`  ${p.label} ${pct(p.score)}`);

// 2. Bytes you already have (an upload, a database row, a fetch): a Buffer or Uint8Array works the same.
const bytes = await readFile(path);
const { detections, model } = await cv.detect(bytes, { threshold: 0.4 });
console.log(`detect (${model.id}): ${detections.length} objects`);
for (const d of detections) {
  const { x1, y1, x2, y2 } = d.box;
  console.log(`  ${d.label} ${pct(d.score)} at (${Math.round(x1)}, ${Math.round(y1)})-(${Math.round(x2)}, ${Math.round(y2)})`);
}

// 3. Where are people's joints (pose: every person, 17 COCO keypoints each), and how alike are two images (an
//    embedding per image; cosineSimilarity compares them, or ask the API with cv.similarity([a, b])).
const { people } = await cv.pose(bytes);
console.log(`pose: ${people.length} ${people.length === 1 ? 'person' : 'people'}`);
const { embedding, dimensions } = await cv.embed(bytes);
const second = await cv.embed(await fromFile(path));
console.log(`embed: ${dimensions} dimensions, the same photo twice: ${cosineSimilarity(embedding, second.embedding).toFixed(3)}`);

// 4. Errors are classes, with the API's code and the request id to quote.
try {
  await cv.classify(bytes, { model: 'no-such-model' });
} catch (err) {
  if (!(err instanceof NotFoundError)) throw err;
  console.log(`error: ${err.status} ${err.code} (request ${err.request_id})`);
}
