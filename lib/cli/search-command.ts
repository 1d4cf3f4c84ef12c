import { readFile } from 'node:fs/promises';
import { searchClips, SearchRequestError, SNAP_VALUES, type ClipResult, type SearchRequest, type Snap } from '../search';
import { COMMON_OPTIONS, momentOption, numberOption, parseCommand } from './options';
import { UsageError } from './usage-error';
import { loadEmbedder, openLocal } from './local-context';
import { clock } from './format';
import { LocalQueryEncoder } from '../embedder/local-query-encoder';
import { assertDecoderTools } from '../decoder/ffmpeg-check';
import { SEARCH_MODES, type SearchMode } from '../core/speech-fusion';

export const SEARCH_USAGE = `vsearch search [TEXT] [--image FILE] [--image-weight W] [--like VIDEO@START-END] [--not TEXT]...
  [--video ID]... [--category C] [--tag T]... [--keywords WORDS] [--k N] [--size N] [--time-offset S] [--min-score X]
  [--relevance-margin X|auto] [--speech-weight W] [--mode both|visual|speech] [--snap shots|none] [--keep-duplicates]
  [--data DIR] [--model ID|DIR] [--dtype T] [--json]`;

/** How hits become clips: `vsearch search` and `vsearch eval` (which runs benchmark queries). */
export const CLIP_OPTIONS = {
  k: { type: 'string' },
  'time-offset': { type: 'string' },
  'min-score': { type: 'string' },
  'relevance-margin': { type: 'string' },
  'speech-weight': { type: 'string' },
  mode: { type: 'string' },
} as const;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...CLIP_OPTIONS,
  image: { type: 'string' },
  'image-weight': { type: 'string' },
  video: { type: 'string', multiple: true },
  category: { type: 'string', multiple: true },
  tag: { type: 'string', multiple: true },
  keywords: { type: 'string' },
  size: { type: 'string' },
  like: { type: 'string' },
  not: { type: 'string', multiple: true },
  snap: { type: 'string' },
  'keep-duplicates': { type: 'boolean', default: false },
} as const;

/** `vsearch search`: ranked clips for a text, image and/or 'more like this' query, less the negatives. */
export async function searchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS);
  const text = positionals.join(' ').trim() || undefined;
  const like = momentOption('like', values.like);
  if (!text && !values.image && !like) throw new UsageError('give a text query, --image FILE, --like VIDEO@START-END, or several (see vsearch --help)');
  if (!text && values.mode === 'speech') throw new UsageError('--mode speech searches what is said: give a text query');
  if (values.snap !== undefined && !SNAP_VALUES.includes(values.snap as Snap)) {
    throw new UsageError(`--snap must be ${SNAP_VALUES.join(' or ')}, got "${values.snap}"`);
  }
  const image = values.image ? await readImageFile(values.image) : undefined;
  const request: SearchRequest = {
    text,
    image,
    like,
    not: values.not,
    snap: values.snap as Snap | undefined,
    dedupe: !values['keep-duplicates'],
    imageWeight: numberOption('image-weight', values['image-weight'], { min: 0, max: 1 }),
    filters: { videoIds: values.video, categories: values.category, tags: values.tag, keywords: values.keywords },
    size: numberOption('size', values.size, { min: 1, max: 1000, integer: true }),
    ...clipSettingsOf(values),
  };

  // A query image is fitted to the model by ffmpeg (fit-image.ts); a text query needs no ffmpeg.
  if (image) await assertDecoderTools(['ffmpeg']);
  const embedder = await loadEmbedder(values, 'queries');
  const store = await openLocal(values);
  const clips = await searchClips(request, {
    encoder: new LocalQueryEncoder(embedder),
    catalog: store.catalog,
    frames: store.frames,
    transcripts: store.transcripts,
  })
    .catch((error: unknown) => {
      // The request field is the option of the same name: `like.videoId` is --like's, `not` --not's.
      throw error instanceof SearchRequestError ? new UsageError(`--${error.field.split('.')[0]}: ${error.message}`) : error;
    })
    .finally(() => store.close());

  if (values.json) console.log(JSON.stringify({ clips: clips.map(jsonClip) }));
  else printClips(clips);
  return 0;
}

/** The k-NN and clustering settings the options ask for, or a usage error naming the wrong one. */
export function clipSettingsOf(values: {
  k?: string;
  'time-offset'?: string;
  'min-score'?: string;
  'relevance-margin'?: string;
  'speech-weight'?: string;
  mode?: string;
}) {
  const mode = values.mode;
  if (mode !== undefined && !(SEARCH_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`--mode must be one of ${SEARCH_MODES.join(', ')}, got "${mode}"`);
  }
  return {
    speechWeight: numberOption('speech-weight', values['speech-weight'], { min: 0, max: 100 }),
    mode: mode as SearchMode | undefined,
    k: numberOption('k', values.k, { min: 1, max: 10_000, integer: true }),
    timeOffset: numberOption('time-offset', values['time-offset'], { min: 0 }),
    minScore: numberOption('min-score', values['min-score'], { min: -1, max: 1 }),
    relevanceMargin:
      values['relevance-margin'] === 'auto' ? 'auto' : numberOption('relevance-margin', values['relevance-margin'], { min: 0 }),
  } satisfies Partial<SearchRequest>;
}

async function readImageFile(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new UsageError(`cannot read --image ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function jsonClip(clip: ClipResult) {
  const { videoId, video, start, end, bestTime, score, hits, duplicates, matchedBy, transcript } = clip;
  return { videoId, title: video.title, start, end, bestTime, score, hits, duplicates, matchedBy, transcript };
}

export function printClips(clips: ClipResult[]): void {
  if (clips.length === 0) {
    console.log('no matching clips');
    return;
  }
  clips.forEach((clip, i) => {
    console.log(
      `${String(i + 1).padStart(2)}. ${clip.video.title} [${clip.videoId}]  ${clock(clip.start)}–${clock(clip.end)}  ` +
        `score ${clip.score.toFixed(3)}  best frame ${clock(clip.bestTime)}  (${clip.hits} frames)  matched by ${clip.matchedBy.join(' and ')}`,
    );
    for (const line of clip.transcript) console.log(`      ${clock(line.start)}  “${line.text}”`);
    if (clip.duplicates.length > 0) {
      console.log(`    also in: ${clip.duplicates.map((d) => `[${d.videoId}] ${clock(d.start)}–${clock(d.end)}`).join(', ')}`);
    }
  });
}
