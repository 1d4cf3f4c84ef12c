/**
 * Writes a tiny Whisper-layout speech recognition model that transformers.js loads like a hub checkpoint
 * (onnx/encoder_model.onnx, onnx/decoder_model_merged.onnx, config.json, generation_config.json,
 * preprocessor_config.json, tokenizer.json, tokenizer_config.json) and that hears tones as words
 * (fixture-model/whisper-words.ts): a 1 kHz tone from 10 to 14 s transcribes as " fox" from 10.00 to 14.00.
 * Used by tests and the bench where a real Whisper cannot be downloaded; what it costs to run is not a real one's.
 *
 *   npx tsx scripts/make-whisper-fixture.ts --out DIR
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeModel } from './onnx/writer';
import { whisperModelConfig, whisperPreprocessorConfig } from './fixture-model/whisper-configs';
import { whisperDecoderGraph, whisperEncoderGraph } from './fixture-model/whisper-graphs';
import { whisperGenerationConfig, whisperTokenizerFiles, whisperVocab } from './fixture-model/whisper-tokenizer';

/** GreaterOrEqual (12) and the opset-13 forms of ReduceSum and Unsqueeze (axes as inputs). */
const OPSET = 13;

export async function makeWhisperFixture(outDir: string): Promise<void> {
  const vocab = whisperVocab();
  const { tokenizerJson, tokenizerConfig } = whisperTokenizerFiles(vocab);
  await mkdir(join(outDir, 'onnx'), { recursive: true });
  const json = (value: object) => JSON.stringify(value, null, 2) + '\n';
  await Promise.all([
    writeFile(join(outDir, 'config.json'), json(whisperModelConfig(vocab))),
    writeFile(join(outDir, 'generation_config.json'), json(whisperGenerationConfig(vocab))),
    writeFile(join(outDir, 'preprocessor_config.json'), json(whisperPreprocessorConfig())),
    writeFile(join(outDir, 'tokenizer.json'), json(tokenizerJson)),
    writeFile(join(outDir, 'tokenizer_config.json'), json(tokenizerConfig)),
    writeFile(join(outDir, 'onnx', 'encoder_model.onnx'), encodeModel(whisperEncoderGraph(), { opset: OPSET })),
    writeFile(join(outDir, 'onnx', 'decoder_model_merged.onnx'), encodeModel(whisperDecoderGraph(vocab), { opset: OPSET })),
  ]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (!values.out) {
    console.error('usage: make-whisper-fixture --out DIR');
    process.exit(2);
  }
  await makeWhisperFixture(values.out);
  console.log(`wrote the Whisper fixture model to ${values.out}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
