import { indexCommand, INDEX_USAGE } from '../lib/cli/index-command';
import { searchCommand, SEARCH_USAGE } from '../lib/cli/search-command';
import { videosCommand } from '../lib/cli/videos-command';
import { removeCommand } from '../lib/cli/remove-command';
import { repairCommand, REPAIR_USAGE } from '../lib/cli/repair-command';
import { demoCommand, DEMO_USAGE } from '../lib/cli/demo-command';
import { serveCommand } from '../lib/cli/serve-command';
import { evalCommand, EVAL_USAGE } from '../lib/cli/eval-command';
import { UsageError } from '../lib/cli/usage-error';
import { errorLine } from '../lib/cli/error-line';

// The storage engine prints its own panics on stderr; a stack trace of its internals tells a user nothing (the error
// that follows says what to do), so it prints none.
process.env.RUST_BACKTRACE = '0';

const USAGE = `vsearch — search the moments of your videos by text or image

  ${INDEX_USAGE}
  ${SEARCH_USAGE}
  vsearch videos [--data DIR] [--json]
  vsearch remove <id> [--data DIR]
  ${REPAIR_USAGE}
  ${DEMO_USAGE}
  vsearch serve [--port N] [--host H] [--token T] [--allow-host NAME]... [--cors ORIGIN] [--data DIR] [--model ID|DIR]
                [--dtype T]
  ${EVAL_USAGE}

Defaults: --data $VSEARCH_DATA or ./.vsearch, --model $VSEARCH_MODEL or Xenova/clip-vit-base-patch32, --dtype
$VSEARCH_DTYPE or fp32: the model's weights as its repository ships them (fp32, q8, int8, uint8, fp16, q4, q4f16,
bnb4); on an x86 CPU with VNNI int8 embeds 2-3x faster than fp32 and q8 no faster (README, Performance).
Sampling: --fps 1. Smoothing: --smoothing-kernel 11 --smoothing-sigma 1.8, both counted in sampled frames (at
--fps 0.5 a kernel of 11 frames spans 22 s of video); the catalog records what was applied (vsearch videos --json).
Clips: hits chain while at most --time-offset seconds apart; default two sampling intervals of each video (one
missing frame still joins: 2 s at 1 fps, 4 s at 0.5 fps). Each clip then grows over the neighbouring frames that
stay above the search's relevance floor (at most 300 s each side), so a clip spans its scene whatever --k is.
Eval: the benchmark's own metrics (QVHighlights: MR-full-R1@0.5 …, HL-min-Fair-mAP …; Charades-STA: R1@0.3 …, mIoU)
on a prediction file, or on the search's answers to every annotated query, each restricted to its video.
Repair: vsearch repair rebuilds the frames table and the catalog from the raw embeddings (<data>/embeddings), each
video smoothed as it was indexed unless the smoothing options say otherwise; with --video, only those, in place.
Shots: index detects cuts and dissolves in the same decode (--shot-threshold 10); search snaps clips to them (--snap
shots): a clip covering most of a shot plays all of it, and never crosses a hard cut into a shot that does not match.
Duplicates: clips whose best frames' embeddings have an inner product >= 0.97 are one result listing the others
("also in"); --keep-duplicates lists each. --like VIDEO@START-END (seconds or mm:ss) searches like that moment (the
mean of its frames; itself left out); --not TEXT (repeatable) ranks frames that match TEXT lower.
Speech: a video's subtitle stream, else its sidecar (movie.srt, movie.vtt), else speech recognition (--asr
$VSEARCH_ASR or Xenova/whisper-base, loaded when a video with an audio track and no subtitles first needs it; its
audio is decoded in the same run as its frames). --asr none turns it off; --asr-language CODE skips detection;
--asr-always recognises speech even where there are subtitles, and indexes it instead.`;

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  index: indexCommand,
  search: searchCommand,
  videos: videosCommand,
  remove: removeCommand,
  repair: repairCommand,
  demo: demoCommand,
  serve: serveCommand,
  eval: evalCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  return command(args);
}

// Errors reach the user as one line: what was wrong, never a stack trace.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`vsearch: ${errorLine(error)}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
