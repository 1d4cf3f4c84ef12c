import type { Moment } from './types';
import { normalize } from './vector';

/**
 * More like this: a moment of an indexed video as (a part of) the query.
 *
 * 1. The moment's vector is the normalised mean of its stored (smoothed) frame embeddings: the frames of its video
 *    with start ≤ time ≤ end. A moment without such a frame cannot be searched like.
 * 2. It is one part of a query beside the text and the image: with either, the query is the normalised mean of the
 *    fused text and image vector (lib/core/query.ts) and the moment's vector, in equal shares; alone it is the query.
 * 3. The moment itself is left out of the results: its own frames are no hits (the k-NN asks for as many more frames
 *    as the moment holds, so they crowd out no others), and no clip of its video that overlaps it is returned.
 */

/** The moment's vector from its stored frames (rule 1). */
export function momentVector(frames: readonly { vector: Float32Array }[]): Float32Array {
  if (frames.length === 0) throw new Error('a moment needs at least one frame');
  const sum = new Float64Array(frames[0].vector.length);
  for (const { vector } of frames) for (let d = 0; d < sum.length; d++) sum[d] += vector[d];
  return normalize(sum);
}

/** The query with the moment as one more part (rule 2): `query` is the fused text and image vector, if any. */
export function withMoment(query: Float32Array | undefined, moment: Float32Array): Float32Array {
  if (!query) return normalize(moment);
  if (query.length !== moment.length) throw new Error(`Query and moment differ in dimension: ${query.length} vs ${moment.length}`);
  return normalize(Float64Array.from(query, (value, d) => value + moment[d]));
}

/** Whether a frame of `videoId` at `time` is one of the moment's own (rule 3). */
export function inMoment(moment: Moment, videoId: string, time: number): boolean {
  return videoId === moment.videoId && time >= moment.start && time <= moment.end;
}

/** Whether a clip overlaps the moment (rule 3): such a clip is the moment found again, not another one. */
export function overlapsMoment(moment: Moment, clip: Moment): boolean {
  return clip.videoId === moment.videoId && clip.start <= moment.end && clip.end >= moment.start;
}
