/** The embed and similarity answers in the OpenAPI document (shortened; the OpenAPI test parses them with the contract). */
import type { EmbedResponse, SimilarityResponse } from '@cvkit/sdk/contract';

const timings = { decode_ms: 4, preprocess_ms: 1, inference_ms: 24, postprocess_ms: 0, encode_ms: 0, total_ms: 30 };

const embedder = {
  id: 'mobilenet_v1_1.0_224_quant_embedding_extractor', task: 'embed' as const, tier: 'edge' as const, tiers: ['edge' as const], runtime: 'litert', default: true,
  input: { width: 224, height: 224 }, labels: 0, license: 'Apache-2.0', accuracy: 'no published figure (ImageNet-trained MobileNet V1 features)', bytes: 3251736,
};

/** Four dimensions of 1024 shown. */
export const embed: EmbedResponse = {
  task: 'embed', model: embedder, image: { width: 512, height: 341 }, embedding: [0.0312, 0, 0.0087, 0.0531], dimensions: 1024, encoding: 'float', timings,
};
export const embedBase64: EmbedResponse = { ...embed, embedding: 'AAAAAGy9/jwAAAAA...', encoding: 'base64' };

export const similarity: SimilarityResponse = {
  model: embedder,
  images: [{ width: 512, height: 341 }, { width: 256, height: 171 }, { width: 512, height: 430 }],
  matrix: [[1, 0.943, 0.462], [0.943, 1, 0.451], [0.462, 0.451, 1]],
  timings: { ...timings, decode_ms: 9, inference_ms: 72, total_ms: 85 },
};
