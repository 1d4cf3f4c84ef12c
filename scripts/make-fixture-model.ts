/**
 * Writes a tiny CLIP- or SigLIP-layout model that transformers.js loads like a real checkpoint and that knows
 * nine colours (see fixture-model/colours.ts): the words and solid frames of one colour embed close together.
 * Used by tests and demos where the real models cannot be downloaded.
 *
 *   npx tsx scripts/make-fixture-model.ts --out DIR --arch clip|siglip [--config-layout dict|int]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { COLOUR_WORDS } from './fixture-model/colours';
import { type ConfigLayout, IMAGE_SIZE, modelConfig, preprocessorConfig } from './fixture-model/configs';
import { textGraph, visionGraph } from './fixture-model/colour-graphs';
import { encodeModel } from './onnx/writer';
import { type Arch, buildTokenizer } from './fixture-model/tokenizer';

export interface FixtureModelOptions {
  /** How preprocessor_config.json writes its sizes (see ConfigLayout); default `dict`. */
  configLayout?: ConfigLayout;
}

export async function makeFixtureModel(outDir: string, arch: Arch, options: FixtureModelOptions = {}): Promise<void> {
  const { vocab, padToken, tokenizerJson, tokenizerConfig } = buildTokenizer(arch);
  const preprocessor = preprocessorConfig(arch, options.configLayout);
  const clip = arch === 'clip';
  const text = textGraph({
    tokenColours: vocab.map((token) => COLOUR_WORDS.get(token)),
    padToken,
    withAttentionMask: clip,
    output: clip ? 'text_embeds' : 'pooler_output',
  });
  const vision = visionGraph({
    mean: preprocessor.image_mean,
    std: preprocessor.image_std,
    size: IMAGE_SIZE,
    output: clip ? 'image_embeds' : 'pooler_output',
  });

  await mkdir(join(outDir, 'onnx'), { recursive: true });
  const json = (value: object) => JSON.stringify(value, null, 2) + '\n';
  await Promise.all([
    writeFile(join(outDir, 'config.json'), json(modelConfig(arch, vocab.length))),
    writeFile(join(outDir, 'tokenizer.json'), json(tokenizerJson)),
    writeFile(join(outDir, 'tokenizer_config.json'), json(tokenizerConfig)),
    writeFile(join(outDir, 'preprocessor_config.json'), json(preprocessor)),
    writeFile(join(outDir, 'onnx', 'text_model.onnx'), encodeModel(text)),
    writeFile(join(outDir, 'onnx', 'vision_model.onnx'), encodeModel(vision)),
  ]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      arch: { type: 'string', default: 'clip' },
      'config-layout': { type: 'string', default: 'dict' },
    },
  });
  const { out, arch, 'config-layout': configLayout } = values;
  if (!out || (arch !== 'clip' && arch !== 'siglip') || (configLayout !== 'dict' && configLayout !== 'int')) {
    console.error('usage: make-fixture-model --out DIR [--arch clip|siglip] [--config-layout dict|int]');
    process.exit(2);
  }
  await makeFixtureModel(out, arch, { configLayout });
  console.log(`wrote ${arch} fixture model (${configLayout} preprocessor layout) to ${out}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
