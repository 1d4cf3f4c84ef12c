/** The ONNX graphs of the fixture model: colour in, colour direction out. */
import { EMBEDDING_DIM, FIXTURE_COLOURS, NEUTRAL_DIRECTION, colourDirection } from './colours';
import { ElemType, type GraphSpec, type NodeSpec, type TensorSpec } from '../onnx/writer';

/** Sharpness of the soft nearest-prototype choice, in squared units of the normalised pixel space. */
const GAMMA = 10;
/** Weight of the neutral direction added to every text, so text naming no colour is not a zero vector. */
export const NEUTRAL_WEIGHT = 0.01;
/**
 * Weight of the neutral direction each pad token adds where no attention mask removes it (SigLIP): a real text
 * tower's output depends on the padding it was trained with (SigLIP: to 64 tokens), so the fixture's does too.
 */
export const PAD_WEIGHT = 0.001;

const floats = (name: string, dims: number[], data: ArrayLike<number>): TensorSpec => ({
  name,
  dims,
  data: Float32Array.from(data),
});
const int64s = (name: string, data: number[]): TensorSpec => ({
  name,
  dims: [data.length],
  data: BigInt64Array.from(data.map(BigInt)),
});

/** Rows are the colour directions: weights over the colours [b, 9] times this give embeddings [b, D]. */
function colourDirections(): TensorSpec {
  const rows = FIXTURE_COLOURS.flatMap((_, i) => [...colourDirection(i)]);
  return floats('colour_directions', [FIXTURE_COLOURS.length, EMBEDDING_DIM], rows);
}

export interface VisionGraphOptions {
  /** The processor's normalisation: the graph sees (pixel / 255 - mean) / std. */
  mean: readonly number[];
  std: readonly number[];
  /** The input side in pixels (square); other sizes fail, as a ViT's position embeddings do. */
  size: number;
  output: 'image_embeds' | 'pooler_output';
}

/**
 * Weights of the pixels along one axis of `size`, summing to 1: a tent, highest at the centre, falling to zero at the
 * edges. Photos are framed on their subject, and a real vision tower sees where things are, so the fixture must
 * too: a picture whose centre and border differ embeds differently when centre-cropped than when squashed or
 * letterboxed between black bars.
 */
function centreWeights(size: number): Float32Array {
  const tent = Array.from({ length: size }, (_, i) => 1 - Math.abs((2 * i + 1) / size - 1));
  const sum = tent.reduce((s, v) => s + v, 0);
  return Float32Array.from(tent, (v) => v / sum);
}

/**
 * pixel_values [b, 3, H, W] → centre-weighted mean colour [b, 3] → softmax(-GAMMA · squared distance to each colour
 * prototype) [b, 9] → weighted sum of colour directions [b, D]. The squared distance |m - p|² is computed as
 * -2 m·p + |p|²: the |m|² term is the same for every prototype, so the softmax ignores it.
 */
export function visionGraph({ mean, std, size, output }: VisionGraphOptions): GraphSpec {
  const prototypes = FIXTURE_COLOURS.map(({ rgb }) => rgb.map((v, k) => (v / 255 - mean[k]) / std[k]));
  const n = prototypes.length;
  const scale = Array.from({ length: 3 * n }, (_, idx) => 2 * GAMMA * prototypes[idx % n][Math.floor(idx / n)]);
  const bias = prototypes.map((p) => -GAMMA * p.reduce((s, v) => s + v * v, 0));
  const weights = centreWeights(size);
  const nodes: NodeSpec[] = [
    { op: 'Mul', inputs: ['pixel_values', 'column_weights'], outputs: ['weighted_columns'] },
    { op: 'Mul', inputs: ['weighted_columns', 'row_weights'], outputs: ['weighted_pixels'] },
    {
      op: 'ReduceSum',
      inputs: ['weighted_pixels', 'spatial_axes'],
      outputs: ['mean_rgb'],
      attributes: [{ name: 'keepdims', int: 0 }],
    },
    { op: 'MatMul', inputs: ['mean_rgb', 'prototype_scale'], outputs: ['scores'] },
    { op: 'Add', inputs: ['scores', 'prototype_bias'], outputs: ['logits'] },
    { op: 'Softmax', inputs: ['logits'], outputs: ['weights'], attributes: [{ name: 'axis', int: -1 }] },
    { op: 'MatMul', inputs: ['weights', 'colour_directions'], outputs: [output] },
  ];
  return {
    name: 'fixture_vision',
    nodes,
    initializers: [
      floats('column_weights', [size], weights),
      floats('row_weights', [size, 1], weights),
      int64s('spatial_axes', [2, 3]),
      floats('prototype_scale', [3, n], scale),
      floats('prototype_bias', [n], bias),
      colourDirections(),
    ],
    inputs: [{ name: 'pixel_values', type: ElemType.Float, shape: ['batch_size', 3, size, size] }],
    outputs: [{ name: output, type: ElemType.Float, shape: ['batch_size', EMBEDDING_DIM] }],
  };
}

export interface TextGraphOptions {
  /** For each token id, the index of the colour it names, or undefined. */
  tokenColours: (number | undefined)[];
  /** The id of the pad token, which adds PAD_WEIGHT of the neutral direction. */
  padToken: number;
  /** Take an attention_mask input and zero masked tokens (CLIP exports have one, SigLIP exports do not). */
  withAttentionMask: boolean;
  output: 'text_embeds' | 'pooler_output';
}

/**
 * input_ids [b, s] → token embeddings (a colour's direction, a little of the neutral one for the pad token, else zero)
 * [b, s, D] → sum over s + neutral [b, D].
 */
export function textGraph({ tokenColours, padToken, withAttentionMask, output }: TextGraphOptions): GraphSpec {
  const zero = new Float32Array(EMBEDDING_DIM);
  const pad = NEUTRAL_DIRECTION.map((v) => v * PAD_WEIGHT);
  const row = (c: number | undefined, id: number) => (c !== undefined ? colourDirection(c) : id === padToken ? pad : zero);
  const table = tokenColours.flatMap((c, id) => [...row(c, id)]);
  const tokens = withAttentionMask ? 'masked_embeddings' : 'token_embeddings';
  const nodes: NodeSpec[] = [
    {
      op: 'Gather',
      inputs: ['token_table', 'input_ids'],
      outputs: ['token_embeddings'],
      attributes: [{ name: 'axis', int: 0 }],
    },
    ...(withAttentionMask
      ? [
          { op: 'Cast', inputs: ['attention_mask'], outputs: ['mask_float'], attributes: [{ name: 'to', int: ElemType.Float }] },
          { op: 'Unsqueeze', inputs: ['mask_float', 'last_axis'], outputs: ['mask_3d'] },
          { op: 'Mul', inputs: ['token_embeddings', 'mask_3d'], outputs: ['masked_embeddings'] },
        ]
      : []),
    {
      op: 'ReduceSum',
      inputs: [tokens, 'sequence_axis'],
      outputs: ['summed'],
      attributes: [{ name: 'keepdims', int: 0 }],
    },
    { op: 'Add', inputs: ['summed', 'neutral'], outputs: [output] },
  ];
  const ids = (name: string) => ({ name, type: ElemType.Int64, shape: ['batch_size', 'sequence_length'] });
  return {
    name: 'fixture_text',
    nodes,
    initializers: [
      floats('token_table', [tokenColours.length, EMBEDDING_DIM], table),
      int64s('sequence_axis', [1]),
      ...(withAttentionMask ? [int64s('last_axis', [-1])] : []),
      floats('neutral', [EMBEDDING_DIM], NEUTRAL_DIRECTION.map((v) => v * NEUTRAL_WEIGHT)),
    ],
    inputs: [ids('input_ids'), ...(withAttentionMask ? [ids('attention_mask')] : [])],
    outputs: [{ name: output, type: ElemType.Float, shape: ['batch_size', EMBEDDING_DIM] }],
  };
}
