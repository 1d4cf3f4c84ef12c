/**
 * Build time (the Dockerfile's MODEL_ID and ASR_MODEL build arguments): downloads a Hugging Face model with
 * transformers.js into the cache DIR (as DIR/<MODEL_ID>/…), where the server finds it by its id (MODEL_CACHE_DIR=DIR)
 * without network access. The model is loaded once, on the CPU, to check it works. `--asr`: the speech recognition
 * model (a Whisper checkpoint, ASR_MODEL) instead of the embedding model.
 *
 *   node --import tsx containers/embedder/fetch-model.ts [--asr] MODEL_ID DIR [DTYPE]
 */
import { join } from 'node:path';
import { TransformersEmbedder } from '../../lib/embedder/transformers-embedder';
import { DTYPES } from '../../lib/embedder/dtypes';
import { TransformersSpeechRecognizer } from '../../lib/speech/transformers-recognizer';

async function main(args: string[]): Promise<void> {
  const asr = args[0] === '--asr';
  const [modelId, dir, dtype = 'fp32'] = asr ? args.slice(1) : args;
  const known = DTYPES.find((name) => name === dtype);
  if (!modelId || !dir || !known) {
    console.error(`usage: fetch-model.ts [--asr] MODEL_ID DIR [${DTYPES.join('|')}]`);
    process.exit(2);
  }
  if (asr) {
    const recognizer = await TransformersSpeechRecognizer.load(modelId, { cacheDir: dir, dtype: known });
    console.log(`fetched ${modelId} (speech recognition, ${recognizer.languages.length ? `${recognizer.languages.length} languages` : 'one language'}, ${dtype}) into ${join(dir, modelId)}`);
    return;
  }
  const embedder = await TransformersEmbedder.from_pretrained(modelId, { cacheDir: dir, dtype: known });
  console.log(`fetched ${modelId} (${embedder.dim}-d, ${dtype}) into ${join(dir, modelId)}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
