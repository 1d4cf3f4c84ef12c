import { videoIdFor } from '../video-id';
import { keyHash } from './video-key';

/** Step Functions' longest execution name. */
export const MAX_EXECUTION_NAME = 80;

/**
 * The name of the execution that indexes one upload, so that a person finds it in the Step Functions console: the
 * video id of the key (the slug of its file name, then the key's hash) and the event's S3 sequencer,
 * `<slug>-<hash>-<sequencer>`: `videos/Fête de la musique 1.mp4` uploaded with sequencer `0062E99A88DC407460` is
 * `fete-de-la-musique-1-90fd86c0-0062E99A88DC407460`.
 *
 * Step Functions' rules: 1–80 characters, unique per state machine for 90 days; letters, digits, `-` and `_` are
 * safe. The slug is ASCII letters, digits and `-` (accents dropped, other characters runs of `-`, `video` when none
 * is left) and the sequencer hex, so the name is safe. When it would be longer than 80 characters the slug is cut,
 * never the hash or the sequencer. One upload has one name: a repeated delivery of its event names the same
 * execution; another upload of the key (a later sequencer) or another key (another hash) names another.
 */
export function executionName(key: string, sequencer: string): string {
  if (!/^[0-9A-Fa-f]+$/.test(sequencer)) throw new RangeError(`S3 sequencer "${sequencer}" is not hexadecimal`);
  const tail = `-${keyHash(key)}-${sequencer}`;
  const room = MAX_EXECUTION_NAME - tail.length;
  if (room < 1) throw new RangeError(`S3 sequencer "${sequencer}" leaves no room in an execution name of ${MAX_EXECUTION_NAME} characters`);
  return videoIdFor(key).slice(0, room).replace(/-+$/, '') + tail;
}
