import { COMMON_OPTIONS, parseCommand } from './options';
import { UsageError } from './usage-error';
import { openLocal } from './local-context';
import { clock } from './format';
import type { VideoRecord } from '../core/types';

const OPTIONS = COMMON_OPTIONS;

/** `vsearch videos`: every indexed video with its status and the frames actually stored for it. */
export async function videosCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}". Usage: vsearch videos [--data DIR] [--json]`);
  const store = await openLocal(values);
  const videos = await store.catalog.list();
  const rows = await Promise.all(videos.map(async (video) => ({ ...video, frames: await store.frames.countFrames(video.id) })));
  store.close();

  if (values.json) {
    console.log(JSON.stringify({ videos: rows }));
    return 0;
  }
  if (rows.length === 0) console.log('no videos indexed yet: vsearch index <file|dir>');
  for (const video of rows) {
    const reason = video.status === 'FAILED' && video.error ? `  (${video.error})` : '';
    console.log(
      `${video.id}  "${video.title}"  ${video.status}  ${video.frames} frames  ${clock(video.durationSec)}  ` +
        `${video.category ?? '-'}  [${video.tags.join(', ')}]  ${video.model}  ${video.fps} fps  ${smoothingLabel(video)}  ${shotsLabel(video)}${reason}`,
    );
  }
  return 0;
}

function shotsLabel({ shots }: VideoRecord): string {
  if (shots === undefined) return 'shots not recorded';
  if (!shots) return 'no shot detection';
  const count = shots.boundaries.length + 1;
  return `${count} shot${count === 1 ? '' : 's'} (threshold ${shots.threshold})`;
}

function smoothingLabel({ smoothing }: VideoRecord): string {
  if (smoothing === undefined) return 'smoothing not recorded';
  return smoothing ? `smoothing ${smoothing.kernelSize} frames σ ${smoothing.sigma}` : 'no smoothing';
}
