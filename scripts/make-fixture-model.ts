/**
 * Writes a tiny CLIP- or SigLIP-layout model that transformers.js loads like a real checkpoint and that knows
 * nine colours (see fixture-model/colours.ts): the words and solid frames of one colour embed close together.
 * Used by tests and demos where the real models cannot be downloaded.
 *
 *   npx tsx scripts/make-fixture-model.ts --out DIR --arch clip|siglip
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { COLOUR_WORDS } from './fixture-model/colours';
import { modelConfig, preprocessorConfig } from './fixture-model/configs';
import { textGraph, visionGraph } from './fixture-model/colour-graphs';
import { encodeModel } from './fixture-model/onnx-writer';
import { type Arch, buildTokenizer } from './fixture-model/tokenizer';

export async function makeFixtureModel(outDir: string, arch: Arch): Promise<void> {
  const { vocab, tokenizerJson, tokenizerConfig } = buildTokenizer(arch);
  const preprocessor = preprocessorConfig(arch);
  const clip = arch === 'clip';
  const text = textGraph({
    tokenColours: vocab.map((token) => COLOUR_WORDS.get(token)),
    withAttentionMask: clip,
    output: clip ? 'text_embeds' : 'pooler_output',
  });
  const vision = visionGraph({
    mean: preprocessor.image_mean,
    std: preprocessor.image_std,
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
  const { values } = parseArgs({ options: { out: { type: 'string' }, arch: { type: 'string', default: 'clip' } } });
  if (!values.out || (values.arch !== 'clip' && values.arch !== 'siglip')) {
    console.error('usage: make-fixture-model --out DIR [--arch clip|siglip]');
    process.exit(2);
  }
  await makeFixtureModel(values.out, values.arch);
  console.log(`wrote ${values.arch} fixture model to ${values.out}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
