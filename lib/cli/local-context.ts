import { openLocalStore } from '../store/open-local-store';
import { ModelDownloadError, TransformersEmbedder } from '../embedder/transformers-embedder';
import { dataDirOf, modelOf } from './options';

/** What a user without the hub can do instead: a model downloaded elsewhere, or the tests' tiny model for a dry run. */
const WITHOUT_THE_HUB =
  'Either pass a downloaded copy of the model with --model DIR (or VSEARCH_MODEL=DIR), or try the tiny fixture model: ' +
  'npx tsx scripts/make-fixture-model.ts --out /tmp/fixture-clip --arch clip, then --model /tmp/fixture-clip';

/** The local-mode adapters a command needs: the store always, the model only when asked (loading it is slow). */
export async function openLocal(values: { data?: string }) {
  return openLocalStore(dataDirOf(values));
}

/** The model, downloaded from the hub into $VSEARCH_MODEL_CACHE (default: transformers.js's cache) the first time. */
export async function loadEmbedder(values: { model?: string }) {
  try {
    return await TransformersEmbedder.from_pretrained(modelOf(values), { cacheDir: process.env.VSEARCH_MODEL_CACHE });
  } catch (error) {
    if (error instanceof ModelDownloadError) throw new Error(`${error.message} ${WITHOUT_THE_HUB}`, { cause: error });
    throw error;
  }
}
