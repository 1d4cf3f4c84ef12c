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
    const [text] = query.text ? await this.embedder.embedTexts([query.text]) : [];
    const [image] = query.image ? await this.embedder.embedImages([await readImage(query.image)]) : [];
    return fuseQuery({ text, image, imageWeight: query.imageWeight ?? DEFAULT_IMAGE_WEIGHT });
  }
}
