import { DEFAULT_IMAGE_WEIGHT, fuseQuery } from '../core/query';
import type { Query, QueryEncoder } from '../query-encoder';
import type { Embedder } from './embedder';
import { readImage } from './image-file';

/** Encodes queries with an in-process embedder: text and image embedded separately, then fused. */
export class LocalQueryEncoder implements QueryEncoder {
  constructor(private readonly embedder: Embedder) {}

  get model(): string {
    return this.embedder.model;
  }

  get dim(): number {
    return this.embedder.dim;
  }

  async encode(query: Query): Promise<Float32Array> {
    // The image is decoded first, so a bad one is refused before any model work.
    const picture = query.image ? await readImage(query.image) : undefined;
    const [text] = query.text ? await this.embedder.embedTexts([query.text]) : [];
    const [image] = picture ? await this.embedder.embedImages([picture]) : [];
    return fuseQuery({ text, image, imageWeight: query.imageWeight ?? DEFAULT_IMAGE_WEIGHT });
  }
}
