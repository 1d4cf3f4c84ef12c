import type { FrameVector, VideoRecord } from '../../lib/core/types';
import { normalize } from '../../lib/core/vector';

/** Small vectors and catalog records for frame-index tests. */
export const DIM = 8;
export const MODEL = 'test/clip-8d';

/** Unit basis vector `i` of `dim`. */
export function axis(i: number, dim = DIM): Float32Array {
  const v = new Float32Array(dim);
  v[i] = 1;
  return v;
}

/** Unit vector along `weights` (padded with zeros to DIM). */
export function unit(...weights: number[]): Float32Array {
  const v = new Float32Array(DIM);
  v.set(weights);
  return normalize(v);
}

export function video(id: string, overrides: Partial<VideoRecord> = {}): VideoRecord {
  return {
    id,
    title: `Video ${id}`,
    source: `/videos/${id}.mp4`,
    tags: [],
    durationSec: 10,
    fps: 1,
    model: MODEL,
    dim: DIM,
    frames: 0,
    status: 'READY',
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** One frame per vector, every half second from 0. */
export function frames(...vectors: Float32Array[]): FrameVector[] {
  return vectors.map((vector, i) => ({ time: i * 0.5, vector }));
}
