/**
 * The task table: every task the API answers, declared once in its own folder. Routes (`POST /v1/<task>`), batches,
 * /v1/analyze, the OpenAPI document, /v1/models?task= and the providers' pipelines all iterate this table, so a new
 * task is its folder, a line here and its name in the contract's `Task` enum (the Record type makes a missing line a
 * compile error, not a run-time 404).
 */
import type { Task } from '@cvkit/sdk/contract';
import { classifyTask } from './classify';
import { detectTask } from './detect';
import { embedTask } from './embed';
import type { TaskDefinition } from './http/task';
import { poseTask } from './pose';
import { segmentTask } from './segment';

export const tasks: { readonly [T in Task]: TaskDefinition } = {
  classify: classifyTask,
  detect: detectTask,
  segment: segmentTask,
  embed: embedTask,
  pose: poseTask,
};
