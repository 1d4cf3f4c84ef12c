import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import {
  AutoConfig,
  AutoImageProcessor,
  AutoTokenizer,
  CLIPTextModelWithProjection,
  CLIPVisionModelWithProjection,
  type ImageProcessor,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  RawImage,
  SiglipTextModel,
  SiglipVisionModel,
  type Tensor,
  env,
} from '@huggingface/transformers';
import type { RgbImage } from '../core/types';
import { type EmbedderDtype, ONNX_SUFFIX } from './dtypes';
import type { Embedder } from './embedder';
import { downloadFailure, ModelDownloadError, ModelLoadError, oneLine } from './errors';
import { fitImage } from './fit-image';
import { type ImageGeometry, imageGeometry } from './image-geometry';
import { pixelValuesAtInputSize } from './pixel-values';

export interface TransformersEmbedderOptions {
  /** Weight type, picking onnx/*_model{suffix}.onnx. Default fp32. */
  dtype?: EmbedderDtype;
  /**
   * Texts or images per model run. Default 4 on the CPU, 16 on CUDA. On the real-size towers here (onnxruntime alone,
   * 2 cores) batches of 4 ran 2–39% faster than one image at a time (ViT-B/32 int8 the most), and 16 never faster
   * than 4.
   */
  batchSize?: number;
  device?: 'cpu' | 'cuda';
  /** Where downloaded hub models are kept (transformers.js default: inside its package folder). */
  cacheDir?: string;
  /** onnxruntime threads a model run spreads over (CPU). Default: one per core. */
  threads?: number;
  /**
   * onnxruntime's threads spin-wait between operators (its default; default here too): 12–25% faster embedding when
   * the model has the cores to itself, but 12% slower indexing when ffmpeg decodes alongside, whose cores a spinning
   * thread holds (real-size ViT-B/32, 60 s of 720p, 3 alternating rounds). `vsearch index` turns it off.
   */
  spinning?: boolean;
}

/** onnxruntime's CPU settings for both towers: `threads` for the operators (the graph is a chain: one inter-op thread). */
export function sessionOptions(threads: number, spinning: boolean) {
  const spin = spinning ? '1' : '0';
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}

/**
 * Points transformers.js at the cache and the hub every model of ours loads from, and returns how to say that
 * `model` could not be downloaded from there.
 */
export function useHub(model: string, cacheDir: string | undefined): (reason: string) => ModelDownloadError {
  // Global, because transformers.js 4 probes tokenizer_config.json in the default cache whatever cache_dir says.
  if (cacheDir) env.cacheDir = resolve(cacheDir);
  // The hub's address: HF_ENDPOINT, as the Hugging Face hub's own clients read it (a mirror, a proxy).
  if (process.env.HF_ENDPOINT) env.remoteHost = process.env.HF_ENDPOINT.replace(/\/*$/, '/');
  return (reason) => ModelDownloadError.of(model, env.remoteHost, env.cacheDir ?? '(none)', reason);
}

/** How each supported architecture is loaded and run (the layouts of the Xenova / onnx-community exports). */
const ARCHITECTURES = {
  clip: {
    textModel: CLIPTextModelWithProjection,
    visionModel: CLIPVisionModelWithProjection,
    textOutput: 'text_embeds',
    imageOutput: 'image_embeds',
    padding: true,
  },
  siglip: {
    textModel: SiglipTextModel,
    visionModel: SiglipVisionModel,
    textOutput: 'pooler_output',
    imageOutput: 'pooler_output',
    // SigLIP was trained on texts padded to the full length; shorter padding changes its embeddings.
    padding: 'max_length',
  },
} as const;

type Architecture = (typeof ARCHITECTURES)[keyof typeof ARCHITECTURES];

function isArchitecture(modelType: unknown): modelType is keyof typeof ARCHITECTURES {
  return typeof modelType === 'string' && Object.hasOwn(ARCHITECTURES, modelType);
}

function checkModelDir(dir: string, dtype: EmbedderDtype): void {
  requireModelFiles(dir, ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json'], ['text_model', 'vision_model'], dtype);
}

/**
 * A local model directory holds `files` and each of `graphs` as onnx/<graph>{the dtype's suffix}.onnx, or a
 * ModelLoadError names the first one missing.
 */
export function requireModelFiles(dir: string, files: readonly string[], graphs: readonly string[], dtype: EmbedderDtype): void {
  if (!statSync(dir).isDirectory()) throw new ModelLoadError(`Model path "${dir}" is not a directory.`);
  const required = [...files, ...graphs.map((graph) => `onnx/${graph}${ONNX_SUFFIX[dtype]}.onnx`)];
  const missing = required.find((file) => !existsSync(join(dir, file)));
  if (missing) throw new ModelLoadError(`Model directory "${dir}" is missing ${missing}.`);
}

function unitRows(output: Tensor): Float32Array[] {
  const [rows, dim] = output.dims;
  const data = output.to('float32').normalize(2, -1).data as Float32Array;
  return Array.from({ length: rows }, (_, i) => data.slice(i * dim, (i + 1) * dim));
}

interface Towers {
  arch: Architecture;
  tokenizer: PreTrainedTokenizer;
  processor: ImageProcessor;
  textModel: PreTrainedModel;
  visionModel: PreTrainedModel;
}

/** Texts longer than the model's token limit (77 for CLIP, 64 for SigLIP) are truncated: only their start counts. */
async function embedTextBatch({ arch, tokenizer, textModel }: Towers, texts: string[]): Promise<Float32Array[]> {
  const inputs = tokenizer(texts, { padding: arch.padding, truncation: true });
  return unitRows((await textModel(inputs))[arch.textOutput]);
}

async function embedImageBatch(
  { arch, processor, visionModel }: Towers,
  images: RgbImage[],
  geometry: ImageGeometry,
): Promise<Float32Array[]> {
  for (const { data, width, height } of images) {
    if (data.length !== width * height * 3) {
      throw new Error(`An RGB image of ${width}x${height} needs ${width * height * 3} bytes, got ${data.length}.`);
    }
  }
  // Decoded frames are at the input size already; any other picture is fitted as they were (image-geometry.ts).
  const atInputSize = await Promise.all(
    images.map((image) =>
      image.width === geometry.width && image.height === geometry.height ? image : fitImage(image, geometry),
    ),
  );
  // The processor only builds what the fast path does not know (padding, another normalisation): at the input size
  // its resize and crop leave the picture as it is.
  const pixelValues = pixelValuesAtInputSize(processor, atInputSize, geometry);
  const inputs = pixelValues
    ? { pixel_values: pixelValues }
    : await processor(atInputSize.map(({ data, width, height }) => new RawImage(data, width, height, 3)));
  return unitRows((await visionModel(inputs))[arch.imageOutput]);
}

async function inBatches<T>(
  items: T[],
  size: number,
  run: (batch: T[]) => Promise<Float32Array[]>,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await run(items.slice(i, i + size))));
  return out;
}

/** CLIP / SigLIP run in process by transformers.js (onnxruntime-node), text and vision towers loaded separately. */
export class TransformersEmbedder implements Embedder {
  readonly geometry: ImageGeometry;

  private constructor(
    readonly model: string,
    readonly dim: number,
    private readonly towers: Towers,
    readonly batchSize: number,
  ) {
    this.geometry = imageGeometry(towers.processor);
  }

  /**
   * Loads a Hugging Face model id (downloaded once into the transformers.js cache) or, when `modelIdOrDir` is an
   * existing path, a local directory in the same layout without touching the network.
   */
  static async from_pretrained(
    modelIdOrDir: string,
    options: TransformersEmbedderOptions = {},
  ): Promise<TransformersEmbedder> {
    const { dtype = 'fp32', device = 'cpu', cacheDir, threads = availableParallelism(), spinning = true } = options;
    const local = existsSync(modelIdOrDir);
    // An absolute path: transformers.js reads a relative one that looks like a model id from env.localModelPath.
    const source = local ? resolve(modelIdOrDir) : modelIdOrDir;
    if (local) checkModelDir(source, dtype);
    const downloadError = useHub(modelIdOrDir, cacheDir);
    const loadOptions = { local_files_only: local };

    let modelType: unknown;
    try {
      modelType = (await AutoConfig.from_pretrained(source, loadOptions)).model_type;
    } catch (err) {
      throw local
        ? new ModelLoadError(`Cannot read ${join(source, 'config.json')}: ${oneLine(err)}`)
        : downloadError(downloadFailure(err) ?? oneLine(err));
    }
    if (!isArchitecture(modelType)) {
      throw new ModelLoadError(
        `Model "${modelIdOrDir}" has model_type "${String(modelType)}"; only clip and siglip are supported.`,
      );
    }
    const arch = ARCHITECTURES[modelType];
    const batchSize = options.batchSize ?? (device === 'cuda' ? 16 : 4);

    try {
      const modelOptions = { ...loadOptions, dtype, device, session_options: sessionOptions(threads, spinning) };
      const [tokenizer, processor, textModel, visionModel] = await Promise.all([
        AutoTokenizer.from_pretrained(source, loadOptions),
        AutoImageProcessor.from_pretrained(source, loadOptions),
        arch.textModel.from_pretrained(source, modelOptions),
        arch.visionModel.from_pretrained(source, modelOptions),
      ]);
      const towers = { arch, tokenizer, processor, textModel, visionModel };
      const [probe] = await embedTextBatch(towers, ['']);
      return new TransformersEmbedder(modelIdOrDir, probe.length, towers, batchSize);
    } catch (err) {
      if (err instanceof ModelLoadError) throw err;
      const failure = local ? undefined : downloadFailure(err);
      throw failure ? downloadError(failure) : new ModelLoadError(`Model "${modelIdOrDir}" could not be loaded: ${oneLine(err)}`);
    }
  }

  embedTexts(texts: string[]): Promise<Float32Array[]> {
    return inBatches(texts, this.batchSize, (batch) => embedTextBatch(this.towers, batch));
  }

  embedImages(images: RgbImage[]): Promise<Float32Array[]> {
    return inBatches(images, this.batchSize, (batch) => embedImageBatch(this.towers, batch, this.geometry));
  }
}
