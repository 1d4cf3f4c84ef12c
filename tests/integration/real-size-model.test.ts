import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import type { RgbImage } from '../../lib/core/types';
import { ThreadedEmbedder } from '../../lib/embedder/threaded-embedder';
import { TransformersEmbedder } from '../../lib/embedder/transformers-embedder';
import { MODEL_CACHE, realSizeModelDir } from '../../scripts/bench/real-models';
import { CLIP_VIT_B32, REAL_SIZE_MODELS } from '../../scripts/real-size-model/specs';

// The first run writes the full-size ViT-B/32 (605 MB) into the bench's model cache: about 10–20 s here.
jest.setTimeout(180_000);

const frame = (size: number): RgbImage => ({
  width: size,
  height: size,
  data: Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 37) % 256),
});
const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

/**
 * The generated CLIP ViT-B/32 at full size, from the cache the bench uses (bench/tmp/models, generated once and kept
 * while the generator is unchanged): it loads through the same path as a hub model and embeds a frame and a text.
 */
describe('the generated real-size CLIP ViT-B/32', () => {
  let dir: string;
  let embedder: TransformersEmbedder;

  beforeAll(async () => {
    dir = await realSizeModelDir(MODEL_CACHE, CLIP_VIT_B32, { dtypes: ['fp32'] });
    embedder = await TransformersEmbedder.from_pretrained(dir);
  });

  it('has the checkpoint’s config and the export’s files', async () => {
    const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'clip',
      projection_dim: 512,
      vision_config: { hidden_size: 768, intermediate_size: 3072, num_attention_heads: 12, num_hidden_layers: 12, patch_size: 32, image_size: 224 },
      text_config: { hidden_size: 512, intermediate_size: 2048, num_attention_heads: 8, num_hidden_layers: 12, vocab_size: 49408, max_position_embeddings: 77 },
    });
    const vision = onnx.ModelProto.decode(await readFile(path.join(dir, 'onnx/vision_model.onnx')));
    const params = vision.graph!.initializer!.reduce((n, t) => n + Number(t.dims!.reduce((a, b) => Number(a) * Number(b), 1)), 0);
    expect(params / 1e6).toBeCloseTo(87.8, 0); // CLIP ViT-B/32's vision tower with its projection: 87.8 M
    expect(vision.graph!.input!.map((v) => v.name)).toEqual(['pixel_values']);
    expect(vision.graph!.output!.map((v) => v.name)).toEqual(['image_embeds']);
  });

  it('embeds a frame and a text into 512-d unit vectors', async () => {
    expect(embedder.dim).toBe(512);
    expect(embedder.geometry).toEqual({ width: 224, height: 224, fit: 'cover' });
    const [image] = await embedder.embedImages([frame(224)]);
    const [text] = await embedder.embedTexts(['a dog on a beach']);
    for (const v of [image, text]) {
      expect(v).toHaveLength(512);
      expect(v.every(Number.isFinite)).toBe(true);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });

  it('runs on its own thread in a ThreadedEmbedder, with the same vectors, leaving the main thread free', async () => {
    const threaded = await ThreadedEmbedder.load(dir);
    try {
      const frames = Array.from({ length: 8 }, () => frame(224));
      const inProcess = await embedder.embedImages(frames);
      let embedded = false;
      let timerFiredFirst: boolean | undefined;
      setTimeout(() => (timerFiredFirst = !embedded), 1);
      const vectors = await threaded.embedImages(frames);
      embedded = true;
      await new Promise((resolve) => setTimeout(resolve, 5));
      // In process, onnxruntime-node would run the batch synchronously on this thread, timers waiting behind it.
      expect(timerFiredFirst).toBe(true);
      vectors.forEach((v, i) => v.forEach((x, k) => expect(x).toBeCloseTo(inProcess[i][k], 5)));
    } finally {
      await threaded.close();
    }
  });
});

/**
 * Every generated model and weight type, at one encoder layer per tower (the generator's reduced-depth variant: the
 * same files, inputs, outputs and config layout as the full size, in a second or two), through the loader.
 */
describe.each(REAL_SIZE_MODELS.map((spec) => ({ name: spec.name, spec })))('the generated $name at one layer', ({ spec }) => {
  let cache: string;
  let dir: string;

  beforeAll(async () => {
    cache = await mkdtemp(path.join(os.tmpdir(), 'real-size-model-'));
    dir = await realSizeModelDir(cache, spec, { layers: 1, dtypes: ['fp32', 'q8', 'int8'] });
  });

  afterAll(async () => {
    await rm(cache, { recursive: true, force: true });
  });

  it.each(['fp32', 'q8', 'int8'] as const)('loads and embeds with dtype %s', async (dtype) => {
    const embedder = await TransformersEmbedder.from_pretrained(dir, { dtype });
    const dim = spec.projectionDim ?? spec.text.hiddenSize;
    expect(embedder.dim).toBe(dim);
    expect(embedder.geometry.fit).toBe(spec.arch === 'clip' ? 'cover' : 'fill');
    const [image] = await embedder.embedImages([frame(224)]);
    const [text] = await embedder.embedTexts(['a red car']);
    for (const v of [image, text]) {
      expect(v).toHaveLength(dim);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });

  it('quantises as the hub’s q8 files are: 8-bit MatMulInteger / ConvInteger weights, uint8 where there is a Conv', async () => {
    const ops = async (file: string) => {
      const model = onnx.ModelProto.decode(await readFile(path.join(dir, 'onnx', file)));
      const weightTypes = new Set(
        model.graph!.initializer!.filter((t) => t.name!.endsWith('_quantized')).map((t) => onnx.TensorProto.DataType[t.dataType!]),
      );
      return { ops: new Set(model.graph!.node!.map((n) => n.opType)), weightTypes };
    };
    const vision = await ops('vision_model_quantized.onnx');
    const text = await ops('text_model_quantized.onnx');
    expect([...vision.ops]).toEqual(expect.arrayContaining(['DynamicQuantizeLinear', 'MatMulInteger', 'ConvInteger']));
    expect(vision.ops.has('MatMul')).toBe(true); // attention's activation × activation products stay float
    expect([...vision.weightTypes]).toEqual(['UINT8']);
    expect([...text.ops]).toEqual(expect.arrayContaining(['DynamicQuantizeLinear', 'MatMulInteger', 'DequantizeLinear']));
    expect([...text.weightTypes]).toEqual(['INT8']);
    expect([...(await ops('vision_model_int8.onnx')).weightTypes]).toEqual(['INT8']);
  });
});
