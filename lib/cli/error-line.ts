import { DataDirError, type DataDirProblem } from '../store/errors';

/** What to do about a data directory that cannot be used. */
export const DATA_DIR_ADVICE: Record<DataDirProblem, string> = {
  full: 'Free some space, then run the command again.',
  'read-only': 'Use a writable directory with --data DIR.',
  'permission denied': 'Use a directory of yours with --data DIR, or run as its owner.',
};

/** The one line the CLI prints for an error: what went wrong and, where the CLI knows it, what to do. */
export function errorLine(error: unknown): string {
  // A data directory that cannot be used fails the first write (or the opening), before anything is written.
  if (error instanceof DataDirError) return `${error.message}; nothing was written. ${DATA_DIR_ADVICE[error.problem]}`;
  return error instanceof Error ? error.message : String(error);
}
