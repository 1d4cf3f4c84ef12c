import { openLocalStore } from '../store/open-local-store';
import { TransformersEmbedder } from '../embedder/transformers-embedder';
import { dataDirOf, modelOf } from './options';

/** The local-mode adapters a command needs: the store always, the model only when asked (loading it is slow). */
export async function openLocal(values: { data?: string }) {
  return openLocalStore(dataDirOf(values));
}

export async function loadEmbedder(values: { model?: string }) {
  return TransformersEmbedder.from_pretrained(modelOf(values));
}
