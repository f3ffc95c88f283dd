/** The annotated photo of a `detect(..., { annotate: true })` result as a Blob, for `<img>`, a file or an upload. */
import { CVKitError } from '../errors';
import type { DetectResponse } from '../types';
import { dataUrlToBlob } from './data-url';

/**
 * @example
 * const result = await cv.detect(photo, { annotate: true });
 * img.src = URL.createObjectURL(annotatedImage(result));
 */
export function annotatedImage(result: Pick<DetectResponse, 'annotated_image'>): Blob {
  if (!result.annotated_image) throw new CVKitError('This result has no annotated image; call detect(image, { annotate: true }).');
  return dataUrlToBlob(result.annotated_image);
}
