import { openLocalStore } from '../store/open-local-store';
import { ThreadedEmbedder } from '../embedder/threaded-embedder';
import { dataDirOf, dtypeOf, modelOf } from './options';

/** The local-mode adapters a command needs: the store always, the model only when asked (loading it is slow). */
export async function openLocal(values: { data?: string }) {
  return openLocalStore(dataDirOf(values));
}

/**
 * The model on a thread of its own, so decoding (and the server) go on while it runs. `indexing`: ffmpeg decodes
 * alongside, so onnxruntime's threads do not spin-wait between operators on the cores it needs.
 */
export async function loadEmbedder(values: { model?: string; dtype?: string }, use: 'indexing' | 'queries') {
  return ThreadedEmbedder.load(modelOf(values), { dtype: dtypeOf(values), spinning: use === 'queries' });
}
