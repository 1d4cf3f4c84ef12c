import { z } from 'zod';
import type { FrameVector } from './core/types';

/**
 * A compact, self-describing binary file of one video's (or one time range's) frame embeddings: what the embedder
 * container answers a video job with, and what the ingest step and the local mode read. All numbers little-endian.
 *
 *   offset 0   4 bytes  magic "VSFE"
 *          4   uint16   format version (1 or 2)
 *          6   uint16   reserved, 0
 *          8   uint32   H: byte length of the header that follows
 *         12   H bytes  header: UTF-8 JSON {videoId, model, dim, fps, durationSec, startSec?, endSec?, shots?, speech?,
 *                       count}, padded with spaces so the arrays below start at a multiple of 8; `shots`
 *                       (lib/core/shots.ts): {threshold, boundaries: [{time, kind}]}, the boundaries found in the
 *                       embedded range; `speech` (version 2 only): the whole video's subtitles, or what speech
 *                       recognition heard in the embedded range (video time), {source, segments: [{start, end, text,
 *                       source}], notes, model?, language?} (see SpeechRecord)
 *     12 + H   count × float64  frame times, seconds from the start of the video, increasing
 *              count × dim × float32  the frame vectors, one row per time, in the same order
 *
 * The file's length is exactly 12 + H + count × (8 + 4 × dim): anything shorter or longer is an error.
 *
 * Versions: 2 is 1 with `speech` in the header. A file is written as version 1 when it has no speech, so readers from
 * before speech still read it; both versions are read, a version 1 file (an older container's) as one without speech.
 */

export const FRAME_EMBEDDINGS_CONTENT_TYPE = 'application/vnd.vsearch.frame-embeddings';
export const FRAME_EMBEDDINGS_EXTENSION = '.vsfe';

const MAGIC = 'VSFE';
/** The first version, and the one that added `speech` to the header. */
const VERSION = 1;
const SPEECH_VERSION = 2;
const PREFIX_BYTES = 12;
/**
 * Far above any real header (a feature film's subtitles are a few hundred KB of JSON), low enough that a garbage
 * length cannot make the reader allocate much.
 */
const MAX_HEADER_BYTES = 16 << 20;

export const SHOTS = z.object({
  threshold: z.number().positive(),
  boundaries: z.array(z.object({ time: z.number().nonnegative(), kind: z.enum(['cut', 'gradual']) })),
});

const SPEECH_SOURCE = z.enum(['subtitles', 'sidecar', 'asr']);

export const SPEECH = z.object({
  source: SPEECH_SOURCE.nullable(),
  segments: z.array(
    z.object({ start: z.number().nonnegative(), end: z.number().nonnegative(), text: z.string(), source: SPEECH_SOURCE }),
  ),
  notes: z.array(z.string()),
  model: z.string().min(1).optional(),
  language: z.string().min(1).optional(),
});

export type JobSpeech = z.infer<typeof SPEECH>;

const HEADER = z.object({
  videoId: z.string().min(1),
  /** The model id the vectors come from. */
  model: z.string().min(1),
  dim: z.int().positive(),
  /** Frames per second of video time the sampling yielded. */
  fps: z.number().positive(),
  /** The whole video's duration, even when only a range was embedded. */
  durationSec: z.number().nonnegative(),
  /** The time range that was asked for, when it was not the whole video. */
  startSec: z.number().nonnegative().optional(),
  endSec: z.number().nonnegative().optional(),
  /** The shot boundaries in the embedded range and the threshold that found them, when they were detected. */
  shots: SHOTS.optional(),
  /**
   * What is said and where it came from: the whole video's subtitles (a stream or a sidecar), when the job was asked
   * to read them (the first job of a video), or speech recognition of the embedded range when the video has none;
   * `source` null: none was found, `notes` say why.
   */
  speech: SPEECH.optional(),
});

export type FrameEmbeddingsHeader = z.infer<typeof HEADER>;

export interface FrameEmbeddings {
  header: FrameEmbeddingsHeader;
  frames: FrameVector[];
}

/** Bytes that are not a well-formed frame embeddings file; the message says what is wrong. */
export class FrameEmbeddingsFormatError extends Error {
  override readonly name = 'FrameEmbeddingsFormatError';
}

/** Writes frames (in increasing time, each `header.dim` long) with their header into one buffer. */
export function encodeFrameEmbeddings(header: FrameEmbeddingsHeader, frames: readonly FrameVector[]): Buffer {
  const checked = HEADER.safeParse(header);
  if (!checked.success) throw new RangeError(`bad frame embeddings header: ${firstIssue(checked.error)}`);
  const valid = checked.data;
  const { dim } = valid;
  frames.forEach(({ time, vector }, i) => {
    if (vector.length !== dim) throw new RangeError(`frame ${i} has dimension ${vector.length}, expected ${dim}`);
    if (!Number.isFinite(time)) throw new RangeError(`frame ${i} has time ${time}`);
  });
  const json = Buffer.from(JSON.stringify({ ...valid, count: frames.length }), 'utf8');
  const headerBytes = json.length + ((8 - ((PREFIX_BYTES + json.length) % 8)) % 8);
  const timesAt = PREFIX_BYTES + headerBytes;
  const rowsAt = timesAt + 8 * frames.length;
  const out = Buffer.alloc(rowsAt + 4 * dim * frames.length, ' ');
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt16LE(valid.speech ? SPEECH_VERSION : VERSION, 4);
  out.writeUInt16LE(0, 6);
  out.writeUInt32LE(headerBytes, 8);
  json.copy(out, PREFIX_BYTES);
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  frames.forEach(({ time, vector }, i) => {
    view.setFloat64(timesAt + 8 * i, time, true);
    const row = rowsAt + 4 * dim * i;
    for (let d = 0; d < dim; d++) view.setFloat32(row + 4 * d, vector[d], true);
  });
  return out;
}

/**
 * Reads a buffer written by encodeFrameEmbeddings. The vectors are views into one Float32Array holding all rows.
 * Throws FrameEmbeddingsFormatError for anything else: another magic or version, a truncated or overlong buffer,
 * a header that is not the expected JSON.
 */
export function decodeFrameEmbeddings(bytes: Uint8Array): FrameEmbeddings {
  const { header, count, timesAt, bytes: expected } = decodeFrameEmbeddingsHeader(bytes);
  const { dim } = header;
  if (bytes.length !== expected) {
    const problem = bytes.length < expected ? 'truncated' : 'trailing data';
    throw new FrameEmbeddingsFormatError(`${problem}: ${count} frames of dimension ${dim} need ${expected} bytes, got ${bytes.length}`);
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rowsAt = timesAt + 8 * count;
  const rows = new Float32Array(count * dim);
  for (let i = 0; i < rows.length; i++) rows[i] = view.getFloat32(rowsAt + 4 * i, true);
  const frames = Array.from({ length: count }, (_, i): FrameVector => {
    const time = view.getFloat64(timesAt + 8 * i, true);
    if (!Number.isFinite(time)) throw new FrameEmbeddingsFormatError(`frame ${i} has time ${time}`);
    return { time, vector: rows.subarray(i * dim, (i + 1) * dim) };
  });
  return { header, frames };
}

/**
 * The header alone, from the start of a frame embeddings file (its prefix and header, or more): the frame count,
 * where the frame times start, and the whole file's length. Throws FrameEmbeddingsFormatError as
 * decodeFrameEmbeddings does, for the bytes it reads.
 */
export function decodeFrameEmbeddingsHeader(bytes: Uint8Array): {
  header: FrameEmbeddingsHeader;
  count: number;
  timesAt: number;
  bytes: number;
} {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < PREFIX_BYTES || Buffer.from(bytes.subarray(0, 4)).toString('latin1') !== MAGIC) {
    throw new FrameEmbeddingsFormatError('not a frame embeddings file (no VSFE magic)');
  }
  const version = view.getUint16(4, true);
  if (version !== VERSION && version !== SPEECH_VERSION) {
    throw new FrameEmbeddingsFormatError(`unsupported format version ${version}, expected ${VERSION} or ${SPEECH_VERSION}`);
  }
  const headerBytes = view.getUint32(8, true);
  if (headerBytes > MAX_HEADER_BYTES || PREFIX_BYTES + headerBytes > bytes.length) {
    throw new FrameEmbeddingsFormatError(`truncated: a header of ${headerBytes} bytes does not fit in ${bytes.length} bytes`);
  }
  const { count, ...header } = parseHeader(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes));
  if (header.speech && version === VERSION) throw new FrameEmbeddingsFormatError('bad header: speech: needs format version 2');
  const timesAt = PREFIX_BYTES + headerBytes;
  return { header, count, timesAt, bytes: timesAt + count * (8 + 4 * header.dim) };
}

/**
 * The header of a file too large to read for it: `read(start, length)` gives the bytes at `start` (fewer at the end of
 * the file), and only the prefix and the header are asked for.
 */
export async function readFrameEmbeddingsHeader(
  read: (start: number, length: number) => Promise<Uint8Array>,
): Promise<ReturnType<typeof decodeFrameEmbeddingsHeader>> {
  const prefix = await read(0, PREFIX_BYTES);
  const headerBytes = prefix.length === PREFIX_BYTES ? Buffer.from(prefix).readUInt32LE(8) : 0;
  return decodeFrameEmbeddingsHeader(headerBytes > 0 ? await read(0, PREFIX_BYTES + Math.min(headerBytes, MAX_HEADER_BYTES)) : prefix);
}

function parseHeader(bytes: Uint8Array): FrameEmbeddingsHeader & { count: number } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new FrameEmbeddingsFormatError('header is not JSON');
  }
  const parsed = HEADER.extend({ count: z.int().nonnegative() }).safeParse(json);
  if (!parsed.success) throw new FrameEmbeddingsFormatError(`bad header: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

function firstIssue(error: z.ZodError): string {
  const [issue] = error.issues;
  return `${issue.path.join('.') || 'header'}: ${issue.message}`;
}
