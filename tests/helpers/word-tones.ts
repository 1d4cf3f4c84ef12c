import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type SpokenWord, wordTonesExpression } from '../../scripts/fixture-model/whisper-words';

const run = promisify(execFile);

/** `durationSec` of audio saying `words` to the Whisper fixture, made by ffmpeg's aevalsrc, as 16 kHz mono samples. */
export async function wordTones(words: SpokenWord[], durationSec: number): Promise<Float32Array> {
  const source = `aevalsrc=${wordTonesExpression(words)}:s=16000:d=${durationSec}`;
  const { stdout } = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', source, '-ac', '1', '-f', 'f32le', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 256 * 1024 * 1024,
  });
  const samples = new Float32Array(stdout.length / 4);
  new Uint8Array(samples.buffer).set(stdout);
  return samples;
}
