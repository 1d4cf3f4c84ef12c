/**
 * The four tower graphs (CLIP / SigLIP, vision / text) at the checkpoints' sizes, with random weights, built from the
 * operators their ONNX exports hold (MatMul + Add for every linear layer, attention as MatMul + Softmax between
 * Reshape / Transpose, Conv for the patch embedding, Gather for the token embedding), so onnxruntime optimises and
 * runs them as it does the hub files. Two liberties, neither changing the cost: LayerNormalization is the opset-17
 * operator (the exports' opset-14 decomposition is fused back into it by onnxruntime at load), and position
 * embeddings are added as constants (the exports gather them with constant indices, which onnxruntime folds).
 * Inputs and outputs are the exports': pixel_values → image_embeds (CLIP) or last_hidden_state + pooler_output
 * (SigLIP); input_ids + attention_mask → text_embeds (CLIP), input_ids → last_hidden_state + pooler_output (SigLIP).
 */
import { ElemType, type GraphSpec } from '../onnx/writer';
import { GraphBuilder } from './graph-builder';
import type { RealSizeModelSpec, TowerSpec } from './specs';

/** A large finite negative, added to the scores of masked keys (CLIP's text tower). */
const MASKED = -1e9;

/** x [b, s, d] → LayerNormalization over d, weight 1 and bias 0 as initialised. */
function layerNorm(g: GraphBuilder, x: string, prefix: string, t: TowerSpec): string {
  const scale = g.filled(`${prefix}.weight`, [t.hiddenSize], 1);
  const bias = g.filled(`${prefix}.bias`, [t.hiddenSize], 0);
  return g.op('LayerNormalization', [x, scale, bias], prefix, [
    { name: 'axis', int: -1 },
    { name: 'epsilon', float: t.layerNormEps },
  ]);
}

/** x [..., inDim] @ W [inDim, outDim] (+ b): a torch Linear as exported. */
function linear(g: GraphBuilder, x: string, prefix: string, inDim: number, outDim: number, bias = true): string {
  const y = g.op('MatMul', [x, g.random(`${prefix}.weight`, [inDim, outDim])], `${prefix}_matmul`);
  return bias ? g.op('Add', [y, g.random(`${prefix}.bias`, [outDim])], prefix) : y;
}

/** The activation as torch exports it: quick_gelu x·σ(1.702x); gelu_pytorch_tanh ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
function activation(g: GraphBuilder, x: string, t: TowerSpec, prefix: string): string {
  if (t.activation === 'quick_gelu') {
    const scaled = g.op('Mul', [x, g.scalar(`${prefix}.k`, 1.702)], `${prefix}_scaled`);
    return g.op('Mul', [x, g.op('Sigmoid', [scaled], `${prefix}_sigmoid`)], prefix);
  }
  const cube = g.op('Pow', [x, g.scalar(`${prefix}.three`, 3)], `${prefix}_cube`);
  const inner = g.op('Add', [x, g.op('Mul', [cube, g.scalar(`${prefix}.c`, 0.044715)], `${prefix}_c`)], `${prefix}_inner`);
  const tanh = g.op('Tanh', [g.op('Mul', [inner, g.scalar(`${prefix}.k`, Math.sqrt(2 / Math.PI))], `${prefix}_k`)], `${prefix}_tanh`);
  const onePlus = g.op('Add', [tanh, g.scalar(`${prefix}.one`, 1)], `${prefix}_one_plus`);
  return g.op('Mul', [g.op('Mul', [x, g.scalar(`${prefix}.half`, 0.5)], `${prefix}_half`), onePlus], prefix);
}

/**
 * Multi-head attention of queries [b, sq, d] over keys and values [b, sk, d]: projections, heads split by Reshape
 * [0, 0, h, d/h] and Transpose, scores (queries scaled by 1/√(d/h)) plus `mask` [b, 1, sq, sk] when given, Softmax,
 * heads merged, output projection.
 */
function attention(g: GraphBuilder, queries: string, keysValues: string, prefix: string, t: TowerSpec, mask?: string): string {
  const d = t.hiddenSize;
  const headDim = d / t.heads;
  const split = g.int64s(`${prefix}.split_heads`, [0, 0, t.heads, headDim]);
  const heads = (x: string, name: string, perm: number[]) =>
    g.op('Transpose', [g.op('Reshape', [x, split], `${name}_heads`)], `${name}_t`, [{ name: 'perm', ints: perm }]);
  const q = linear(g, queries, `${prefix}.q_proj`, d, d);
  const scaledQ = g.op('Mul', [q, g.scalar(`${prefix}.scale`, 1 / Math.sqrt(headDim))], `${prefix}_q_scaled`);
  const qh = heads(scaledQ, `${prefix}_q`, [0, 2, 1, 3]); // [b, h, sq, hd]
  const kh = heads(linear(g, keysValues, `${prefix}.k_proj`, d, d), `${prefix}_k`, [0, 2, 3, 1]); // [b, h, hd, sk]
  const vh = heads(linear(g, keysValues, `${prefix}.v_proj`, d, d), `${prefix}_v`, [0, 2, 1, 3]); // [b, h, sk, hd]
  const scores = g.op('MatMul', [qh, kh], `${prefix}_scores`);
  const masked = mask ? g.op('Add', [scores, mask], `${prefix}_masked`) : scores;
  const probs = g.op('Softmax', [masked], `${prefix}_probs`, [{ name: 'axis', int: -1 }]);
  const context = g.op('Transpose', [g.op('MatMul', [probs, vh], `${prefix}_context`)], `${prefix}_context_t`, [
    { name: 'perm', ints: [0, 2, 1, 3] },
  ]);
  const merged = g.op('Reshape', [context, g.int64s(`${prefix}.merge_heads`, [0, 0, d])], `${prefix}_merged`);
  return linear(g, merged, `${prefix}.out_proj`, d, d);
}

function mlp(g: GraphBuilder, x: string, prefix: string, t: TowerSpec): string {
  const hidden = activation(g, linear(g, x, `${prefix}.fc1`, t.hiddenSize, t.intermediateSize), t, `${prefix}.act`);
  return linear(g, hidden, `${prefix}.fc2`, t.intermediateSize, t.hiddenSize);
}

/** Pre-norm encoder layers: x + attention(LN(x)), then + MLP(LN(·)). */
function encoder(g: GraphBuilder, x: string, prefix: string, t: TowerSpec, mask?: string): string {
  let h = x;
  for (let i = 0; i < t.layers; i++) {
    const p = `${prefix}.layers.${i}`;
    const normed = layerNorm(g, h, `${p}.layer_norm1`, t);
    h = g.op('Add', [h, attention(g, normed, normed, `${p}.self_attn`, t, mask)], `${p}_residual1`);
    h = g.op('Add', [h, mlp(g, layerNorm(g, h, `${p}.layer_norm2`, t), `${p}.mlp`, t)], `${p}_residual2`);
  }
  return h;
}

/** A learned [1, 1, d] token repeated over the batch of `like` (CLIP's class embedding, SigLIP's probe). */
function perImageToken(g: GraphBuilder, like: string, name: string, d: number): string {
  const batch = g.op('Gather', [g.op('Shape', [like], `${name}_shape`), g.int64s(`${name}.batch_axis`, [0])], `${name}_batch`, [
    { name: 'axis', int: 0 },
  ]);
  const shape = g.op('Concat', [batch, g.int64s(`${name}.token_shape`, [1, d])], `${name}_expand_shape`, [{ name: 'axis', int: 0 }]);
  return g.op('Expand', [g.random(name, [1, 1, d]), shape], `${name}_expanded`);
}

/** pixel_values [b, 3, H, W] → Conv with stride = kernel = patch → [b, patches, d], position embeddings added. */
function patchEmbeddings(g: GraphBuilder, spec: RealSizeModelSpec, withBias: boolean): string {
  const { hiddenSize: d, patchSize: p, imageSize } = spec.vision;
  const patches = (imageSize / p) ** 2;
  const conv = g.op(
    'Conv',
    ['pixel_values', g.random('embeddings.patch_embedding.weight', [d, 3, p, p]), ...(withBias ? [g.random('embeddings.patch_embedding.bias', [d])] : [])],
    'patch_conv',
    [
      { name: 'kernel_shape', ints: [p, p] },
      { name: 'strides', ints: [p, p] },
    ],
  );
  const flat = g.op('Reshape', [conv, g.int64s('embeddings.flatten', [0, d, patches])], 'patch_flat');
  return g.op('Transpose', [flat], 'patch_tokens', [{ name: 'perm', ints: [0, 2, 1] }]);
}

const pixelValues = { name: 'pixel_values', type: ElemType.Float, shape: ['batch_size', 'num_channels', 'height', 'width'] };
const ids = (name: string) => ({ name, type: ElemType.Int64, shape: ['batch_size', 'sequence_length'] });
const floats = (name: string, shape: (number | string)[]) => ({ name, type: ElemType.Float, shape });

/** CLIP vision: patches after the class token, + positions, pre-LN, encoder, post-LN of the class token, projection. */
export function clipVisionGraph(spec: RealSizeModelSpec): GraphSpec {
  const g = new GraphBuilder();
  const v = spec.vision;
  const d = v.hiddenSize;
  const tokens = (v.imageSize / v.patchSize) ** 2 + 1;
  const cls = perImageToken(g, 'pixel_values', 'embeddings.class_embedding', d);
  const withCls = g.op('Concat', [cls, patchEmbeddings(g, spec, false)], 'embeddings', [{ name: 'axis', int: 1 }]);
  const positioned = g.op('Add', [withCls, g.random('embeddings.position_embedding', [tokens, d])], 'embeddings_positioned');
  const hidden = encoder(g, layerNorm(g, positioned, 'pre_layrnorm', v), 'encoder', v);
  const clsOut = g.op('Gather', [hidden, g.tensor('cls_index', [], BigInt64Array.of(0n))], 'pooled', [{ name: 'axis', int: 1 }]);
  const pooled = layerNorm(g, clsOut, 'post_layernorm', v);
  g.named('MatMul', [pooled, g.random('visual_projection.weight', [d, spec.projectionDim!])], 'image_embeds');
  return g.build('clip_vision', [pixelValues], [floats('image_embeds', ['batch_size', spec.projectionDim!])]);
}

/**
 * CLIP text: token + position embeddings, encoder under a causal mask joined with the attention_mask's padding,
 * final LN, the hidden state at the first end-of-text token, projection.
 */
export function clipTextGraph(spec: RealSizeModelSpec, eosToken: number): GraphSpec {
  const g = new GraphBuilder();
  const t = spec.text;
  const d = t.hiddenSize;
  const embedded = textEmbeddings(g, t);
  // mask [b, 1, s, s]: MASKED where the key comes after the query (causal) or is padding, else 0.
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids'], 'ids_shape'), g.tensor('seq_axis', [], BigInt64Array.of(1n))], 'seq_len', [
    { name: 'axis', int: 0 },
  ]);
  const positions = g.op('Range', [g.tensor('zero', [], BigInt64Array.of(0n)), seqLen, g.tensor('one', [], BigInt64Array.of(1n))], 'positions');
  const asRows = g.op('Unsqueeze', [positions, g.int64s('row_axes', [1])], 'query_positions');
  const asColumns = g.op('Unsqueeze', [positions, g.int64s('column_axes', [0])], 'key_positions');
  const future = g.op('Greater', [asColumns, asRows], 'future_keys'); // [s, s]
  const padding = g.op('Equal', [g.op('Unsqueeze', ['attention_mask', g.int64s('mask_axes', [1, 2])], 'mask_4d'), g.tensor('pad_value', [], BigInt64Array.of(0n))], 'padding_keys');
  const hidden = g.op('Or', [future, padding], 'hidden_keys'); // [b, 1, s, s]
  const mask = g.op('Where', [hidden, g.scalar('masked_score', MASKED), g.scalar('open_score', 0)], 'attention_bias');
  const normed = layerNorm(g, encoder(g, embedded, 'encoder', t, mask), 'final_layer_norm', t);
  const isEos = g.op('Cast', [g.op('Equal', ['input_ids', g.tensor('eos_id', [], BigInt64Array.of(BigInt(eosToken)))], 'is_eos')], 'is_eos_int', [
    { name: 'to', int: ElemType.Int32 },
  ]);
  const eosAt = g.op('ArgMax', [isEos], 'eos_position', [
    { name: 'axis', int: -1 },
    { name: 'keepdims', int: 1 },
  ]); // [b, 1]: the first end-of-text token
  const pooled = g.op('GatherND', [normed, eosAt], 'pooled', [{ name: 'batch_dims', int: 1 }]);
  g.named('MatMul', [pooled, g.random('text_projection.weight', [d, spec.projectionDim!])], 'text_embeds');
  return g.build('clip_text', [ids('input_ids'), ids('attention_mask')], [floats('text_embeds', ['batch_size', spec.projectionDim!])]);
}

/** SigLIP vision: patches + positions, encoder, post-LN, the attention-pooling head (a probe token) → pooler_output. */
export function siglipVisionGraph(spec: RealSizeModelSpec): GraphSpec {
  const g = new GraphBuilder();
  const v = spec.vision;
  const d = v.hiddenSize;
  const patches = (v.imageSize / v.patchSize) ** 2;
  const positioned = g.op('Add', [patchEmbeddings(g, spec, true), g.random('embeddings.position_embedding', [patches, d])], 'embeddings');
  const hidden = g.named('LayerNormalization', [encoder(g, positioned, 'encoder', v), g.filled('post_layernorm.weight', [d], 1), g.filled('post_layernorm.bias', [d], 0)], 'last_hidden_state', [
    { name: 'axis', int: -1 },
    { name: 'epsilon', float: v.layerNormEps },
  ]);
  const probe = perImageToken(g, 'pixel_values', 'head.probe', d);
  const attended = attention(g, probe, hidden, 'head.attention', v);
  const pooled = g.op('Add', [attended, mlp(g, layerNorm(g, attended, 'head.layernorm', v), 'head.mlp', v)], 'head_out');
  g.named('Squeeze', [pooled, g.int64s('head.token_axis', [1])], 'pooler_output');
  return g.build('siglip_vision', [pixelValues], [floats('last_hidden_state', ['batch_size', patches, d]), floats('pooler_output', ['batch_size', d])]);
}

/** SigLIP text: token + position embeddings, encoder (no mask), final LN, the last token's state through the head. */
export function siglipTextGraph(spec: RealSizeModelSpec): GraphSpec {
  const g = new GraphBuilder();
  const t = spec.text;
  const d = t.hiddenSize;
  const hidden = g.named('LayerNormalization', [encoder(g, textEmbeddings(g, t), 'encoder', t), g.filled('final_layer_norm.weight', [d], 1), g.filled('final_layer_norm.bias', [d], 0)], 'last_hidden_state', [
    { name: 'axis', int: -1 },
    { name: 'epsilon', float: t.layerNormEps },
  ]);
  const last = g.op('Gather', [hidden, g.tensor('last_index', [], BigInt64Array.of(-1n))], 'last_token', [{ name: 'axis', int: 1 }]);
  const pooled = linear(g, last, 'head', d, d);
  g.named('Identity', [pooled], 'pooler_output');
  return g.build('siglip_text', [ids('input_ids')], [floats('last_hidden_state', ['batch_size', 'sequence_length', d]), floats('pooler_output', ['batch_size', d])]);
}

/** input_ids [b, s] → token embeddings + the first s position embeddings [b, s, d]. */
function textEmbeddings(g: GraphBuilder, t: RealSizeModelSpec['text']): string {
  const tokens = g.op('Gather', [g.random('embeddings.token_embedding.weight', [t.vocabSize, t.hiddenSize]), 'input_ids'], 'token_embeddings', [
    { name: 'axis', int: 0 },
  ]);
  const len = g.op('Shape', ['input_ids'], 'text_len', [{ name: 'start', int: 1 }]);
  const positions = g.op('Slice', [g.random('embeddings.position_embedding.weight', [t.maxPositions, t.hiddenSize]), g.int64s('positions_start', [0]), len, g.int64s('positions_axis', [0])], 'position_embeddings');
  return g.op('Add', [tokens, positions], 'text_embeddings');
}
