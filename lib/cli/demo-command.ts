import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { makeSampleVideos } from '../sample-videos';
import { searchClips, type SearchRequest } from '../search';
import { ASR_OPTIONS, COMMON_OPTIONS, parseCommand } from './options';
import { UsageError } from './usage-error';
import { loadEmbedder, openLocal } from './local-context';
import { DEFAULT_INDEX_OPTIONS } from '../indexer';
import { indexAndSearchDeps, indexFiles, indexOptionsOf } from './index-command';
import { printClips } from './search-command';
import { assertDecoderTools } from '../decoder/ffmpeg-check';

export const DEMO_USAGE = 'vsearch demo [--model ID|DIR] [--dtype T] [--data DIR] [--asr MODEL|DIR|none] [--asr-language CODE] [--asr-always]';

const TEXT_QUERIES = ['a red screen', 'green grass', 'a blue sky'];
const IMAGE_QUERY = { colour: '#ffff00', name: 'yellow.png' };

/**
 * `vsearch demo`: generates a few sample videos with ffmpeg (into <data>/samples), indexes them, and runs example
 * text and image searches — the whole product on one machine in one command.
 */
export async function demoCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { ...COMMON_OPTIONS, ...ASR_OPTIONS });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}". Usage: ${DEMO_USAGE}`);
  const options = { ...DEFAULT_INDEX_OPTIONS, asr: indexOptionsOf(values).asr };
  await assertDecoderTools(['ffmpeg', 'ffprobe']);
  // Opened first: a data directory that is full, read-only or not ours is said before any work.
  const store = await openLocal(values);
  try {
    const samplesDir = await store.folder('samples');
    console.log(`making sample videos in ${samplesDir}`);
    const samples = await makeSampleVideos(samplesDir);
    const embedder = await loadEmbedder(values, 'indexing');
    const deps = indexAndSearchDeps(embedder, store, values);
    let failed = false;
    for (const sample of samples) {
      const { title, category, tags } = sample;
      const report = await indexFiles([sample.path], { title, category, tags }, deps, options, true);
      failed ||= report.errors.length > 0;
    }

    const imagePath = path.join(samplesDir, IMAGE_QUERY.name);
    const image = await solidPng(IMAGE_QUERY.colour);
    await writeFile(imagePath, image);
    const queries: [string, SearchRequest][] = [
      ...TEXT_QUERIES.map((text): [string, SearchRequest] => [`"${text}"`, { text, size: 3 }]),
      [`image ${imagePath}`, { image, size: 3 }],
    ];
    for (const [label, request] of queries) {
      console.log(`\nsearch ${label}`);
      printClips(await searchClips(request, deps));
    }
    return failed ? 1 : 0;
  } finally {
    store.close();
  }
}

function solidPng(colour: string): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 64, channels: 3, background: colour } }).png().toBuffer();
}
