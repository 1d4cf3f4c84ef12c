/**
 * The real checkpoints the generator reproduces in size and structure: their config.json values (openai/
 * clip-vit-base-patch32, google/siglip-base-patch16-224) and what their transformers.js exports take and give
 * (Xenova / onnx-community: onnx/text_model.onnx and onnx/vision_model.onnx, converted by transformers.js's
 * scripts/convert.py with its split-modality configs, quantised by its scripts/quantize.py).
 */
import type { Arch } from '../fixture-model/tokenizer';

export interface TowerSpec {
  hiddenSize: number;
  intermediateSize: number;
  heads: number;
  layers: number;
  activation: 'quick_gelu' | 'gelu_pytorch_tanh';
  layerNormEps: number;
}

export interface VisionSpec extends TowerSpec {
  imageSize: number;
  patchSize: number;
}

export interface TextSpec extends TowerSpec {
  vocabSize: number;
  maxPositions: number;
}

export interface RealSizeModelSpec {
  /** Directory name, after the hub repository it stands for. */
  name: string;
  /** What it stands for, for labels. */
  label: string;
  arch: Arch;
  vision: VisionSpec;
  text: TextSpec;
  /** CLIP's projection into the shared space (SigLIP has none: its towers end at the hidden size). */
  projectionDim?: number;
}

export const CLIP_VIT_B32: RealSizeModelSpec = {
  name: 'clip-vit-base-patch32',
  label: 'CLIP ViT-B/32',
  arch: 'clip',
  projectionDim: 512,
  vision: {
    hiddenSize: 768,
    intermediateSize: 3072,
    heads: 12,
    layers: 12,
    activation: 'quick_gelu',
    layerNormEps: 1e-5,
    imageSize: 224,
    patchSize: 32,
  },
  text: {
    hiddenSize: 512,
    intermediateSize: 2048,
    heads: 8,
    layers: 12,
    activation: 'quick_gelu',
    layerNormEps: 1e-5,
    vocabSize: 49408,
    maxPositions: 77,
  },
};

/** SigLIP base's towers share one encoder shape (ViT-B: 12 layers, hidden 768, 12 heads, MLP 3072). */
const SIGLIP_BASE_ENCODER = {
  hiddenSize: 768,
  intermediateSize: 3072,
  heads: 12,
  layers: 12,
  activation: 'gelu_pytorch_tanh',
  layerNormEps: 1e-6,
} as const;

export const SIGLIP_BASE_16_224: RealSizeModelSpec = {
  name: 'siglip-base-patch16-224',
  label: 'SigLIP base/16 224',
  arch: 'siglip',
  vision: { ...SIGLIP_BASE_ENCODER, imageSize: 224, patchSize: 16 },
  text: { ...SIGLIP_BASE_ENCODER, vocabSize: 32000, maxPositions: 64 },
};

export const REAL_SIZE_MODELS: readonly RealSizeModelSpec[] = [CLIP_VIT_B32, SIGLIP_BASE_16_224];

/** The same model with `layers` encoder layers in each tower: same files, inputs, outputs and config layout. */
export function withLayers(spec: RealSizeModelSpec, layers: number): RealSizeModelSpec {
  return { ...spec, vision: { ...spec.vision, layers }, text: { ...spec.text, layers } };
}

function towerConfig(t: TowerSpec): object {
  return {
    hidden_size: t.hiddenSize,
    intermediate_size: t.intermediateSize,
    num_attention_heads: t.heads,
    num_hidden_layers: t.layers,
    hidden_act: t.activation,
    layer_norm_eps: t.layerNormEps,
  };
}

/** config.json as the checkpoint has it (the fields transformers.js and a reader of the sizes look at). */
export function modelConfig(spec: RealSizeModelSpec, tokens: { bos?: number; eos: number; pad: number }): object {
  const { vision, text, arch } = spec;
  const textConfig = {
    ...towerConfig(text),
    vocab_size: text.vocabSize,
    max_position_embeddings: text.maxPositions,
    ...(tokens.bos === undefined ? {} : { bos_token_id: tokens.bos }),
    eos_token_id: tokens.eos,
    pad_token_id: tokens.pad,
  };
  const visionConfig = { ...towerConfig(vision), image_size: vision.imageSize, patch_size: vision.patchSize, num_channels: 3 };
  return arch === 'clip'
    ? {
        architectures: ['CLIPModel'],
        model_type: 'clip',
        projection_dim: spec.projectionDim,
        logit_scale_init_value: 2.6592,
        text_config: { model_type: 'clip_text_model', ...textConfig, projection_dim: spec.projectionDim },
        vision_config: { model_type: 'clip_vision_model', ...visionConfig, projection_dim: spec.projectionDim },
      }
    : {
        architectures: ['SiglipModel'],
        model_type: 'siglip',
        text_config: { model_type: 'siglip_text_model', ...textConfig },
        vision_config: { model_type: 'siglip_vision_model', ...visionConfig },
      };
}
