import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { decodeThreads } from '../../../lib/decoder/frames';
import { ThreadedEmbedder } from '../../../lib/embedder/threaded-embedder';
import { DEFAULT_INDEX_OPTIONS, indexVideo, type IndexOptions } from '../../../lib/indexer';
import { openLocalStore, type LocalStore } from '../../../lib/store/open-local-store';
import type { BenchCase } from '../bench-case';
import { entry } from '../entry';
import { ffmpegDecode, SAMPLE } from '../ffmpeg-baseline';
import { fixtureModelDir } from '../fixture';
import { compareMs, comparisonRounds } from '../timing';
import { benchVideo, indexingVideo } from '../videos';

/**
 * Case 2: the whole indexing pipeline (`indexVideo`: probe, decode with shot detection, embed with the fixture model,
 * smooth, write the raw embeddings and a fresh local index) against ffmpeg alone decoding the same frames. Decoding is
 * the bound; the rest must hide behind it. The embedder is loaded as `vsearch index` loads it: on its own thread,
 * without spin-waiting. Then the same pipeline with shot detection against it without (`shots: false`): the
 * scene-score branch of the decode must cost at most 5 %.
 */
export const indexPipelineCase: BenchCase = {
  name: 'index-pipeline',
  async run(ctx) {
    const video = indexingVideo(ctx.smoke);
    const file = await benchVideo(ctx.tmpDir, video);
    const embedder = await ThreadedEmbedder.load(await fixtureModelDir(ctx.tmpDir), { spinning: false });
    if (embedder.geometry.width !== SAMPLE.size || embedder.geometry.fit !== 'cover') {
      throw new Error('the fixture model no longer takes 224² cover frames: the baseline would decode other frames');
    }
    const rounds = comparisonRounds(ctx.smoke);
    const scratch = await mkdtemp(path.join(ctx.tmpDir, 'index-pipeline-'));
    try {
      // One fresh store per indexing, opened before the timing starts: opening is not part of indexing a video.
      const stores: LocalStore[] = [];
      for (let i = 0; i < 3 * rounds; i++) stores.push(await openLocalStore(path.join(scratch, String(i))));
      let used = 0;
      let indexed = 0;
      let decoded = 0;
      let shots = 0;
      const index = async (options: IndexOptions) => {
        const { catalog, frames, transcripts, raw } = stores[used++];
        const video = await indexVideo({ path: file }, { embedder, catalog, frames, transcripts, raw }, options);
        indexed = video.frames;
        shots = video.shots ? video.shots.boundaries.length + 1 : 0;
      };
      const withShots: IndexOptions = { ...DEFAULT_INDEX_OPTIONS, sampling: { fps: SAMPLE.fps } };
      const withoutShots: IndexOptions = { ...withShots, shots: false };
      const median = await compareMs(() => index(withShots), async () => (decoded = await ffmpegDecode(file, decodeThreads())), rounds);
      if (indexed !== decoded) throw new Error(`indexed ${indexed} frames, ffmpeg decoded ${decoded}`);
      const detection = await compareMs(() => index(withShots), () => index(withoutShots), rounds);
      stores.forEach((store) => store.close());
      const label = `${video.height}p ${video.durationSec} s, ${indexed} frames`;
      return [
        entry({
          name: `index pipeline ${label} (fixture model) vs ffmpeg-alone decode`,
          value: median.ours / 1000,
          unit: 's',
          baseline: median.baseline / 1000,
          target: { of: 'ratio', max: 1.15 },
          note: `median of ${rounds} alternating rounds`,
        }),
        entry({
          name: `index pipeline ${label} with shot detection vs without`,
          value: detection.ours / 1000,
          unit: 's',
          baseline: detection.baseline / 1000,
          target: { of: 'ratio', max: 1.05 },
          note: `median of ${rounds} alternating rounds; ${shots} shot${shots === 1 ? '' : 's'} found`,
        }),
      ];
    } finally {
      await embedder.close();
      await rm(scratch, { recursive: true, force: true });
    }
  },
};
