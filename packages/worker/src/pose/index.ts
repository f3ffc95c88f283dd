/**
 * POST /v1/pose: where are each person's joints? The 17 COCO keypoints of every person found, in the upright photo's
 * pixels, or the photo with the skeletons drawn. The pose task as the task table (tasks.ts) declares it.
 */
import { PoseBatchResponse, PoseOptions, PoseResponse } from '@cvkit/sdk/contract';
import { drawSkeletons } from '../draw/skeleton';
import { imageAnswer } from '../http/negotiate';
import { examples } from '../http/openapi-examples';
import { defineTask, tierHeader } from '../http/task';
import { runTask } from '../providers/types';
import { serverTiming } from '../timings';
import { type PoseOutput, posePipeline } from './pipeline';

export const poseTask = defineTask({
  task: 'pose',
  schema: PoseOptions,
  pipeline: posePipeline,
  picture: (options, accept) => imageAnswer(options.format, accept),
  // People are cropped from anywhere in the photo at their own scale: every pixel the budget allows.
  decodeHints: () => undefined,
  async run({ provider, image, options, model, timer, signal, picture }) {
    const result = await runTask<PoseOutput>(provider, {
      image,
      model,
      options: { min_keypoint_score: options.min_keypoint_score, min_person_score: options.min_person_score, max_people: options.max_people },
      tier: options.tier,
      timer,
      signal,
    });
    if (picture) {
      // The pipeline decoded every pixel; this reuses that decode.
      const photo = await timer.measureAsync('decode', () => image.decode());
      const type = picture === 'same-as-input' ? (photo.format === 'jpeg' ? 'image/jpeg' : 'image/png') : picture;
      const bytes = timer.measure('encode', () =>
        drawSkeletons(photo, result.people, type, { minKeypointScore: options.min_keypoint_score, legend: options.legend }),
      );
      const headers = { ...tierHeader(result.model), 'server-timing': serverTiming(timer.result()), 'x-people': String(result.people.length) };
      return { picture: { bytes, type, headers } };
    }
    return {
      json: {
        task: 'pose',
        model: result.model,
        image: result.image,
        people: result.people,
        ...(result.fallback ? { fallback: result.fallback } : {}),
        timings: timer.result(),
      } satisfies PoseResponse,
      headers: tierHeader(result.model),
    };
  },
  doc: {
    summary: "Where are each person's joints? The 17 COCO keypoints of every person, best first, or the skeletons drawn.",
    description:
      "People are found by the default detector (class `person`); MoveNet SinglePose Lightning (edge only, LiteRT.js) reads a padded square around each, and the whole photo when the detector finds nobody (a close portrait). Every person has all 17 keypoints in COCO order (`left_*` is the subject's left), in pixels of the upright photo; the skeleton's edges are in `GET /v1/models/{id}` (`skeleton`). `format=image` or `Accept: image/png|image/jpeg` answers with the photo, limbs drawn in the subject's left (orange), right (blue) and centre (green) colours, keypoints below `min_keypoint_score` left out, with `x-people` and `Server-Timing` headers. In /v1/analyze, `tasks=detect,pose` reuses detect's person boxes.",
    response: { schema: PoseResponse, name: 'PoseResponse', example: examples.pose },
    batch: { schema: PoseBatchResponse, name: 'PoseBatchResponse', example: examples.poseBatch },
    pictures: ['image/png', 'image/jpeg'],
  },
});
