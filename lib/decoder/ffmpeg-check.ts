import { execFile } from 'node:child_process';

/**
 * The programs the decoder runs, both in the ffmpeg package of every system: ffprobe reads a video's streams, ffmpeg
 * decodes its frames, makes the demo's videos, cuts thumbnails and fits query images to the model.
 */
export type DecoderTool = 'ffmpeg' | 'ffprobe';

const INSTALL = 'Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install Gyan.FFmpeg';

/** ffmpeg (or ffprobe) does not run from PATH: the message names what is missing and how to install it. */
export class DecoderMissingError extends Error {
  override readonly name = 'DecoderMissingError';

  constructor(missing: DecoderTool[]) {
    super(`ffmpeg is missing (no ${missing.join(' and no ')} on PATH); install it (${INSTALL}) and run the command again`);
  }
}

const runs = new Map<DecoderTool, Promise<boolean>>();

/**
 * Checks that each tool runs (`<tool> -version`, a few milliseconds, once per process), so a command that decodes
 * says ffmpeg is missing before it starts any work rather than failing on every file.
 */
export async function assertDecoderTools(tools: DecoderTool[]): Promise<void> {
  const found = await Promise.all(tools.map((tool) => runs.get(tool) ?? remember(tool)));
  const missing = tools.filter((_, i) => !found[i]);
  if (missing.length > 0) throw new DecoderMissingError(missing);
}

function remember(tool: DecoderTool): Promise<boolean> {
  const running = new Promise<boolean>((resolve) => execFile(tool, ['-version'], { timeout: 10_000 }, (error) => resolve(!error)));
  runs.set(tool, running);
  return running;
}
