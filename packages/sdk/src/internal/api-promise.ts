/**
 * The promise a client call returns: awaited, the parsed answer; `.withResponse()` also gives the HTTP response, for
 * its headers (`x-request-id`, `server-timing`, and `x-detections` on a detect picture), as in openai-node.
 */

export interface WithResponse<T> {
  data: T;
  /** The response of the successful attempt; its body has been read into `data`. */
  response: Response;
  /** The `x-request-id` the API answered with. */
  request_id: string | undefined;
}

export interface APIPromise<T> extends Promise<T> {
  /**
   * The answer together with the HTTP response; the same single request as awaiting the promise itself.
   * @example
   * const { data: picture, response } = await cv.detect(photo, { format: 'image' }).withResponse();
   * console.log(response.headers.get('x-detections'), 'boxes;', response.headers.get('server-timing'));
   */
  withResponse(): Promise<WithResponse<T>>;
}

export function apiPromise<T>(sent: Promise<{ data: unknown; response: Response }>): APIPromise<T> {
  const data = sent.then((r) => r.data as T) as APIPromise<T>;
  // A caller who only uses withResponse() never awaits `data`: its rejection must not be reported as unhandled.
  data.catch(() => {});
  data.withResponse = () => sent.then((r) => ({ data: r.data as T, response: r.response, request_id: r.response.headers.get('x-request-id') ?? undefined }));
  return data;
}
