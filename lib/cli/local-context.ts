import path from 'node:path';
import { openLocalStore, type LocalStore } from '../store/open-local-store';
import { findDamage, guardStore } from '../store/lance-damage';
import { asDataDirError } from '../store/errors';
import { CATALOG_TABLE } from '../store/lance-catalog';
import { FRAMES_TABLE } from '../store/lance-frame-index';
import { ModelDownloadError, ModelLoadError } from '../embedder/errors';
import type { AsrSettings, RecognizerSource } from '../indexer';
import type { SpeechRecognizer } from '../speech/speech-recognizer';
import { TransformersSpeechRecognizer } from '../speech/transformers-recognizer';
import { ThreadedEmbedder } from '../embedder/threaded-embedder';
import { dataDirOf, dtypeOf, modelOf } from './options';

/** What a user without the hub can do instead: a model downloaded elsewhere, or the tests' tiny model for a dry run. */
const WITHOUT_THE_HUB =
  'Either pass a downloaded copy of the model with --model DIR (or VSEARCH_MODEL=DIR), or try the tiny fixture model: ' +
  'npx tsx scripts/make-fixture-model.ts --out /tmp/fixture-clip --arch clip, then --model /tmp/fixture-clip';

/**
 * The local-mode adapters a command needs: the store always, the model only when asked (loading it is slow).
 * A damaged store is refused before it is read (`findDamage`), and a failure of the storage engine later on is
 * reported the same way: one `StoreDamagedError` naming the table, the directory, and `vsearch repair`.
 */
export async function openLocal(values: { data?: string }, options: { deferVectorIndex?: boolean } = {}): Promise<LocalStore> {
  const dataDir = path.resolve(dataDirOf(values));
  // Reading the files to check them can meet a directory that is not ours first: said as any other use of it would.
  const damage = await findDamage(dataDir, [FRAMES_TABLE, CATALOG_TABLE]).catch((error: unknown) => {
    throw asDataDirError(dataDir, error) ?? error;
  });
  if (damage) throw damage;
  // The catalog's table is opened (and created) here: a failure now is the catalog's.
  const store = await guardStore({ open: openLocalStore }, CATALOG_TABLE, dataDir).open(dataDir, options);
  return {
    ...store,
    catalog: guardStore(store.catalog, CATALOG_TABLE, dataDir),
    frames: guardStore(store.frames, FRAMES_TABLE, dataDir),
    updateVectorIndex: guardStore({ updateVectorIndex: store.updateVectorIndex }, FRAMES_TABLE, dataDir).updateVectorIndex,
  };
}

/** What a user without the hub can do instead for speech recognition. */
const ASR_WITHOUT_THE_HUB =
  'Either pass a downloaded copy of the model with --asr DIR (or VSEARCH_ASR=DIR), turn speech recognition off with ' +
  '--asr none, or try the tiny fixture model: npx tsx scripts/make-whisper-fixture.ts --out /tmp/fixture-whisper, then --asr /tmp/fixture-whisper';

/**
 * The speech recognition model, loaded (downloaded into $VSEARCH_MODEL_CACHE the first time) when the first video
 * that needs it does, once. One that cannot load, or that has not the language asked for, is a ModelLoadError in
 * one line, which stops indexing: every video after it would meet it too.
 */
export function recognizerSource(model: string, settings: AsrSettings): RecognizerSource {
  let loading: Promise<SpeechRecognizer> | undefined;
  const load = async () => {
    let recognizer: SpeechRecognizer;
    try {
      recognizer = await TransformersSpeechRecognizer.load(model, { cacheDir: process.env.VSEARCH_MODEL_CACHE });
    } catch (error) {
      if (error instanceof ModelDownloadError) throw new ModelDownloadError(`${error.message} ${ASR_WITHOUT_THE_HUB}`, { cause: error });
      throw error;
    }
    const { language } = settings;
    if (language !== undefined && !recognizer.languages.includes(language)) {
      const known = recognizer.languages.length ? `it knows ${recognizer.languages.join(', ')}` : 'it transcribes one language: leave --asr-language out';
      throw new ModelLoadError(`Model "${model}" has no language "${language}" for --asr-language (${known}).`);
    }
    return recognizer;
  };
  return { model, load: () => (loading ??= load()) };
}

/**
 * The model on a thread of its own, so decoding (and the server) go on while it runs; downloaded from the hub into
 * $VSEARCH_MODEL_CACHE (default: transformers.js's cache) the first time. `indexing`: ffmpeg decodes alongside, so
 * onnxruntime's threads do not spin-wait between operators on the cores it needs.
 */
export async function loadEmbedder(values: { model?: string; dtype?: string }, use: 'indexing' | 'queries') {
  const options = { dtype: dtypeOf(values), spinning: use === 'queries', cacheDir: process.env.VSEARCH_MODEL_CACHE };
  try {
    return await ThreadedEmbedder.load(modelOf(values), options);
  } catch (error) {
    if (error instanceof ModelDownloadError) throw new Error(`${error.message} ${WITHOUT_THE_HUB}`, { cause: error });
    throw error;
  }
}
