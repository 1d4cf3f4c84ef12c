/** config.json and preprocessor_config.json in the layout of the real CLIP / SigLIP checkpoints. */
import { EMBEDDING_DIM } from './colours';
import { type Arch, maxTokens } from './tokenizer';

export interface PreprocessorConfig {
  image_processor_type: string;
  image_mean: [number, number, number];
  image_std: [number, number, number];
  [key: string]: unknown;
}

export const IMAGE_SIZE = 224;

/**
 * How preprocessor_config.json writes sizes. `dict`: `"size": {"shortest_edge": 224}`, `"crop_size": {"height": 224,
 * "width": 224}` (CLIP) or `"size": {"height": 224, "width": 224}` (SigLIP), what current exporters write. `int`:
 * `"size": 224`, `"crop_size": 224`, what older CLIP and OpenCLIP repos on the hub still have.
 */
export type ConfigLayout = 'dict' | 'int';

/** The values of openai/clip-vit-base-patch32 and google/siglip-base-patch16-224, sizes in `layout`. */
export function preprocessorConfig(arch: Arch, layout: ConfigLayout = 'dict'): PreprocessorConfig {
  const dict = layout === 'dict';
  const common = {
    do_convert_rgb: true,
    do_resize: true,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    resample: 3,
  };
  return arch === 'clip'
    ? {
        ...common,
        image_processor_type: 'CLIPImageProcessor',
        image_mean: [0.48145466, 0.4578275, 0.40821073],
        image_std: [0.26862954, 0.26130258, 0.27577711],
        size: dict ? { shortest_edge: IMAGE_SIZE } : IMAGE_SIZE,
        do_center_crop: true,
        crop_size: dict ? { height: IMAGE_SIZE, width: IMAGE_SIZE } : IMAGE_SIZE,
      }
    : {
        ...common,
        image_processor_type: 'SiglipImageProcessor',
        image_mean: [0.5, 0.5, 0.5],
        image_std: [0.5, 0.5, 0.5],
        size: dict ? { height: IMAGE_SIZE, width: IMAGE_SIZE } : IMAGE_SIZE,
      };
}

export function modelConfig(arch: Arch, vocabSize: number): object {
  const text = { hidden_size: EMBEDDING_DIM, max_position_embeddings: maxTokens(arch), vocab_size: vocabSize };
  const vision = { hidden_size: EMBEDDING_DIM, image_size: IMAGE_SIZE };
  return arch === 'clip'
    ? {
        architectures: ['CLIPModel'],
        model_type: 'clip',
        projection_dim: EMBEDDING_DIM,
        text_config: { model_type: 'clip_text_model', ...text },
        vision_config: { model_type: 'clip_vision_model', ...vision, patch_size: 32 },
      }
    : {
        architectures: ['SiglipModel'],
        model_type: 'siglip',
        text_config: { model_type: 'siglip_text_model', ...text },
        vision_config: { model_type: 'siglip_vision_model', ...vision, patch_size: 16 },
      };
}
