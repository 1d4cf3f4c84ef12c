/**
 * Writes a CLIP ViT-B/32 or SigLIP base/16 224 of real size and structure, with random weights, in the layout of the
 * transformers.js hub exports (config.json, preprocessor_config.json, tokenizer files, onnx/text_model.onnx and
 * onnx/vision_model.onnx, and their 8-bit onnx/*_quantized.onnx, dtype q8), so it loads through the embedder's own
 * path. Its vectors mean nothing; what it costs to run is what the real checkpoint costs. The tokenizer is the
 * fixture's word-level one (scripts/fixture-model/tokenizer.ts): tokens cost the model nothing until they reach it,
 * and the ids it gives stay inside the real vocabulary size that the embedding tables have.
 *
 *   npx tsx scripts/make-real-size-model.ts --out DIR | --cache ROOT
 *       [--model clip-vit-base-patch32|siglip-base-patch16-224] [--dtypes fp32,q8,int8,uint8] [--layers N]
 *
 * --cache writes the model into ROOT/<model>-<layers>-layers unless it is there already (cachedRealSizeModel) and
 * prints that directory; dtypes default to fp32,q8,int8.
 *
 * fp32 ViT-B/32 is 605 MB (352 of them the vision tower), SigLIP base 800 MB; their q8 files a quarter of that.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { IMAGE_SIZE, preprocessorConfig } from './fixture-model/configs';
import { buildTokenizer } from './fixture-model/tokenizer';
import { ONNX_SUFFIX } from '../lib/embedder/dtypes';
import { encodeModel, type GraphSpec } from './onnx/writer';
import { quantizeDynamic } from './real-size-model/quantize';
import { REAL_SIZE_MODELS, type RealSizeModelSpec, modelConfig, withLayers } from './real-size-model/specs';
import { clipTextGraph, clipVisionGraph, siglipTextGraph, siglipVisionGraph } from './real-size-model/towers';

/** The weight types written: fp32, q8 (`_quantized`, the hub's default 8-bit files), int8 and uint8. */
export const REAL_SIZE_DTYPES = ['fp32', 'q8', 'int8', 'uint8'] as const;
export type RealSizeDtype = (typeof REAL_SIZE_DTYPES)[number];

/** LayerNormalization (17) is the newest operator the graphs use. */
const OPSET = 17;
/** Bumped whenever the generator writes different graphs, so cached models are written again. */
const GENERATOR_VERSION = 1;

export async function makeRealSizeModel(outDir: string, spec: RealSizeModelSpec, dtypes: readonly RealSizeDtype[]): Promise<void> {
  const { arch } = spec;
  const tokenizer = buildTokenizer(arch);
  const preprocessor = preprocessorConfig(arch);
  if (spec.vision.imageSize !== IMAGE_SIZE) throw new Error(`the processor configs are for ${IMAGE_SIZE}² models`);
  await mkdir(join(outDir, 'onnx'), { recursive: true });
  const json = (value: object) => JSON.stringify(value, null, 2) + '\n';
  const tokens = { bos: tokenizer.bosToken, eos: tokenizer.eosToken, pad: tokenizer.padToken };
  await Promise.all([
    writeFile(join(outDir, 'config.json'), json(modelConfig(spec, tokens))),
    writeFile(join(outDir, 'tokenizer.json'), json(tokenizer.tokenizerJson)),
    writeFile(join(outDir, 'tokenizer_config.json'), json(tokenizer.tokenizerConfig)),
    writeFile(join(outDir, 'preprocessor_config.json'), json(preprocessor)),
  ]);
  // One tower at a time, each written before the next is built: a tower's weights are a few hundred MB.
  const towers: [string, () => GraphSpec][] =
    arch === 'clip'
      ? [
          ['vision_model', () => clipVisionGraph(spec)],
          ['text_model', () => clipTextGraph(spec, tokenizer.eosToken)],
        ]
      : [
          ['vision_model', () => siglipVisionGraph(spec)],
          ['text_model', () => siglipTextGraph(spec)],
        ];
  for (const [file, build] of towers) {
    const graph = build();
    for (const dtype of dtypes) {
      const written = dtype === 'fp32' ? graph : quantizeDynamic(graph, dtype);
      await writeFile(join(outDir, 'onnx', `${file}${ONNX_SUFFIX[dtype]}.onnx`), encodeModel(written, { opset: OPSET }));
    }
  }
}

/**
 * The model's directory under `cacheRoot`, generated on first use and reused while it was written by this generator
 * version for the same spec with at least the weight types asked (generated.json records them; asking for another
 * type writes the model again with all of them). Written under another name and renamed when complete, so an
 * interrupted run never leaves a partial model behind.
 */
export async function cachedRealSizeModel(cacheRoot: string, spec: RealSizeModelSpec, dtypes: readonly RealSizeDtype[]): Promise<string> {
  const dir = join(cacheRoot, `${spec.name}-${spec.vision.layers}-layers`);
  const stampFile = join(dir, 'generated.json');
  const same = (stamp: { generator: number; spec: unknown }) =>
    stamp.generator === GENERATOR_VERSION && JSON.stringify(stamp.spec) === JSON.stringify(spec);
  const cached: { generator: number; spec: unknown; dtypes: RealSizeDtype[] } | undefined = existsSync(stampFile)
    ? JSON.parse(await readFile(stampFile, 'utf8'))
    : undefined;
  const have = cached && same(cached) ? cached.dtypes : [];
  if (dtypes.every((d) => have.includes(d))) return dir;
  const all = REAL_SIZE_DTYPES.filter((d) => have.includes(d) || dtypes.includes(d));
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await makeRealSizeModel(partial, spec, all);
  await writeFile(join(partial, 'generated.json'), JSON.stringify({ generator: GENERATOR_VERSION, spec, dtypes: all }, null, 2) + '\n');
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return dir;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      cache: { type: 'string' },
      model: { type: 'string', default: REAL_SIZE_MODELS[0].name },
      dtypes: { type: 'string', default: 'fp32,q8,int8' },
      layers: { type: 'string' },
    },
  });
  const spec = REAL_SIZE_MODELS.find((m) => m.name === values.model);
  const dtypes = (values.dtypes ?? '').split(',');
  const layers = values.layers === undefined ? undefined : Number(values.layers);
  const validLayers = layers === undefined || (Number.isInteger(layers) && layers > 0);
  const known = (d: string): d is RealSizeDtype => (REAL_SIZE_DTYPES as readonly string[]).includes(d);
  if (!values.out === !values.cache || !spec || !dtypes.every(known) || !validLayers) {
    const models = REAL_SIZE_MODELS.map((m) => m.name).join('|');
    console.error(`usage: make-real-size-model --out DIR | --cache ROOT [--model ${models}] [--dtypes ${REAL_SIZE_DTYPES.join(',')}] [--layers N]`);
    process.exit(2);
  }
  const sized = layers ? withLayers(spec, layers) : spec;
  if (values.cache) {
    console.log(await cachedRealSizeModel(values.cache, sized, dtypes));
    return;
  }
  await makeRealSizeModel(values.out!, sized, dtypes);
  console.log(`wrote ${spec.label} (${dtypes.join(', ')}) to ${values.out}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
