/**
 * Bench child: indexes one video with `indexVideo` (defaults: 1 fps, default smoothing) into a fresh local store,
 * in a process of its own so its peak RSS is this run's alone.
 *   index-video.ts VIDEO MODEL_DIR DATA_DIR   →   {"frames","seconds","peakRssMiB"}
 */
import { TransformersEmbedder } from '../../../lib/embedder/transformers-embedder';
import { DEFAULT_INDEX_OPTIONS, indexVideo } from '../../../lib/indexer';
import { openLocalStore } from '../../../lib/store/open-local-store';
import { childMain, reportFromChild } from '../child';

childMain(async () => {
  const [video, modelDir, dataDir] = process.argv.slice(2);
  const embedder = await TransformersEmbedder.from_pretrained(modelDir);
  const { catalog, frames, transcripts, raw, close } = await openLocalStore(dataDir);
  const started = performance.now();
  const record = await indexVideo({ path: video }, { embedder, catalog, frames, transcripts, raw }, DEFAULT_INDEX_OPTIONS);
  const seconds = (performance.now() - started) / 1000;
  close();
  reportFromChild({ frames: record.frames, seconds });
});
