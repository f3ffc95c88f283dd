/** POST /v1/classify: what is this? The classify task as the task table (tasks.ts) declares it. */
import { ClassifyBatchResponse, ClassifyOptions, ClassifyResponse } from '@cvkit/sdk/contract';
import { examples } from '../http/openapi-examples';
import { defineTask, tierHeader } from '../http/task';
import { runTask } from '../providers/types';
import { type ClassifyOutput, classifyPipeline } from './pipeline';

export const classifyTask = defineTask({
  task: 'classify',
  schema: ClassifyOptions,
  pipeline: classifyPipeline,
  picture: () => undefined,
  decodeHints: (_options, model) => ({ minWidth: model.input.width, minHeight: model.input.height }),
  async run({ provider, image, options, model, timer, signal }) {
    const result = await runTask<ClassifyOutput>(provider, { image, model, options: { top_k: options.top_k }, tier: options.tier, timer, signal });
    return {
      json: {
        task: 'classify',
        model: result.model,
        image: result.image,
        predictions: result.predictions,
        ...(result.fallback ? { fallback: result.fallback } : {}),
        timings: timer.result(),
      } satisfies ClassifyResponse,
      headers: tierHeader(result.model),
    };
  },
  doc: {
    summary: 'What is this? ImageNet classes, best first.',
    response: { schema: ClassifyResponse, name: 'ClassifyResponse', example: examples.classify },
    batch: { schema: ClassifyBatchResponse, name: 'ClassifyBatchResponse', example: examples.classifyBatch },
  },
});
