/**
 * Build time (the Dockerfile's MODEL_ID build argument): downloads a Hugging Face model with transformers.js into the
 * cache DIR (as DIR/<MODEL_ID>/…), where the server finds it by its id (MODEL_CACHE_DIR=DIR) without network access.
 * The model is loaded once, on the CPU, to check it works.
 *
 *   node --import tsx containers/embedder/fetch-model.ts MODEL_ID DIR [DTYPE]
 */
import { join } from 'node:path';
import { TransformersEmbedder } from '../../lib/embedder/transformers-embedder';
import { DTYPES } from '../../lib/embedder/dtypes';

async function main([modelId, dir, dtype = 'fp32']: string[]): Promise<void> {
  const known = DTYPES.find((name) => name === dtype);
  if (!modelId || !dir || !known) {
    console.error(`usage: fetch-model.ts MODEL_ID DIR [${DTYPES.join('|')}]`);
    process.exit(2);
  }
  const embedder = await TransformersEmbedder.from_pretrained(modelId, { cacheDir: dir, dtype: known });
  console.log(`fetched ${modelId} (${embedder.dim}-d, ${dtype}) into ${join(dir, modelId)}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
