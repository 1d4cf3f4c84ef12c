import { execFile } from 'node:child_process';
import path from 'node:path';
import type { SpeechRecord } from '../../lib/core/types';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `vsearch` bin in a child process, as a user would. */
export function vsearch(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'scripts/vsearch.js'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `vsearch … --json`, parsed; fails the test with the CLI's stderr when the output is not JSON. */
export async function vsearchJson<T>(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult & { json: T }> {
  const result = await vsearch([...args, '--json'], env);
  try {
    return { ...result, json: JSON.parse(result.stdout) as T };
  } catch {
    throw new Error(`vsearch ${args.join(' ')} printed no JSON (exit ${result.code}): ${result.stderr}`);
  }
}

/** A clip of `vsearch search --json`, with what it matched by and its matching lines. */
export interface SearchJsonClip {
  videoId: string;
  start: number;
  end: number;
  score: number;
  matchedBy: string[];
  transcript: { start: number; end: number; text: string; source: string }[];
}

/** `vsearch index --json`. */
export interface IndexJson {
  videos: { id: string; status: string; frames: number; speech?: SpeechRecord }[];
  errors: { path: string; error: string }[];
}

/** ffmpeg quietly, overwriting its output. */
export function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], (error) => (error ? reject(error) : resolve())),
  );
}
