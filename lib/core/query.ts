import { normalize } from './vector';

/** Weight of the image in a text + image query when none is given. */
export const DEFAULT_IMAGE_WEIGHT = 0.5;

export interface QueryParts {
  text?: Float32Array;
  image?: Float32Array;
  /** Share of the image in [0, 1] when both are given: (1 − w)·text + w·image. */
  imageWeight?: number;
}

/**
 * One unit-length query vector from a text embedding, an image embedding, or both (their weighted mean).
 * Each part is normalised first so the weight means what it says whatever the embedder returned.
 */
export function fuseQuery(parts: QueryParts): Float32Array {
  const { text, image, imageWeight = DEFAULT_IMAGE_WEIGHT } = parts;
  if (!(imageWeight >= 0 && imageWeight <= 1)) throw new Error(`imageWeight must be in [0, 1], got ${imageWeight}`);
  if (!image) {
    if (!text) throw new Error('A query needs a text or an image embedding');
    return normalize(text);
  }
  if (!text) return normalize(image);
  if (text.length !== image.length) {
    throw new Error(`Text and image embeddings differ in dimension: ${text.length} vs ${image.length}`);
  }
  const t = normalize(text);
  const i = normalize(image);
  const mixed = new Float64Array(t.length);
  for (let d = 0; d < t.length; d++) mixed[d] = (1 - imageWeight) * t[d] + imageWeight * i[d];
  return normalize(mixed);
}
