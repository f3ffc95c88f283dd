/**
 * Pose: the photo decoded whole, person boxes from a detector (the boxes /v1/analyze's detect task already found,
 * else the default detector run through the same provider), a square crop per person (the whole photo when there
 * is nobody to crop) sampled into MoveNet's 192x192 uint8 input, one run per crop, the keypoints mapped back into
 * the upright photo's pixels, and the people kept by score.
 */
import type { Detection, ImageInfo, Person } from '@cvkit/sdk/contract';
import { SHARED_DETECTIONS } from '../detect';
import type { DetectOutput } from '../detect/pipeline';
import type { PipelineContext } from '../pipeline/types';
import { tensor } from '../runtimes/types';
import { cropSquareRGB } from './crop';
import { isKeypointOutput, toKeypoints } from './keypoints';
import { PEOPLE_QUERY, type PersonBox, personBox, personBoxes, personScore, planCandidates, selectPeople } from './people';

export interface PoseCallOptions {
  min_keypoint_score: number;
  min_person_score: number;
  max_people: number;
}

export interface PoseOutput {
  image: ImageInfo;
  people: Person[];
}

/** The people a detector finds in the same image, boxes in the upright photo's pixels. */
export type FindPeople = () => Promise<PersonBox[]>;

/** Person boxes beyond the people asked for that still get a MoveNet run (a box may turn out not to be a pose). */
const SPARE_CANDIDATES = 2;

/** The task table's pipeline: people from analyze's detect task when it ran, else from the default detector. */
export const posePipeline = (ctx: PipelineContext, options: PoseCallOptions): Promise<PoseOutput> => estimatePoses(ctx, options, findPeople(ctx));

/**
 * The people in the context's image: the detections /v1/analyze's detect task stored for this image (the detector
 * runs once), else the default detector's, asked for people only.
 */
export function findPeople(ctx: PipelineContext): FindPeople {
  return async () => {
    const reused = ctx.image.shared.get(SHARED_DETECTIONS) as Detection[] | undefined;
    if (reused) return personBoxes(reused);
    return personBoxes((await ctx.subtask<DetectOutput>('detect', undefined, PEOPLE_QUERY)).detections);
  };
}

/** Keypoints of the people `findPeople` finds, MoveNet run on a padded square around each. */
export async function estimatePoses(
  { model, artifact, runner, image, timer, signal }: PipelineContext,
  options: PoseCallOptions,
  findPeople: FindPeople,
): Promise<PoseOutput> {
  if (artifact.input.dtype !== 'uint8' || artifact.input.layout !== 'NHWC') throw new Error(`${artifact.key} does not take MoveNet's uint8 NHWC input`);
  // Crops come from anywhere in the photo at any scale: decode every pixel the budget allows (the detector reuses it).
  const decoded = await timer.measureAsync('decode', () => image.decode());
  const photo = decoded.original;
  const boxes = await findPeople();
  const candidates = planCandidates(boxes, photo, options.max_people + SPARE_CANDIDATES);
  // Squares are in the photo's pixels; the pixels may have been decoded at a reduced scale.
  const scale = decoded.width / photo.width;
  const side = model.input.width;
  const people: Person[] = [];
  for (const candidate of candidates) {
    const { square, from } = candidate;
    const input = timer.measure('preprocess', () =>
      cropSquareRGB(decoded, { x: square.x * scale, y: square.y * scale, size: square.size * scale }, side),
    );
    const raw = await timer.measureAsync('inference', () =>
      runner.run({ [artifact.input.name]: tensor('uint8', input, [1, side, side, 3]) }, { signal }),
    );
    people.push(
      timer.measure('postprocess', () => {
        const output = Object.values(raw).find((t) => isKeypointOutput(t.dims));
        if (output?.dtype !== 'float32') throw new Error(`${artifact.key} has no float32 [1,1,17,3] keypoint output`);
        const keypoints = toKeypoints(output.data, square, photo);
        return {
          score: personScore(keypoints, options.min_keypoint_score, from?.score),
          box: personBox(keypoints, options.min_keypoint_score, photo, from),
          keypoints,
        };
      }),
    );
  }
  const kept = timer.measure('postprocess', () =>
    selectPeople(people, { minPersonScore: options.min_person_score, maxPeople: options.max_people, minKeypointScore: options.min_keypoint_score }),
  );
  return { image: photo, people: kept };
}
