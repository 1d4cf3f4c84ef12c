/** A vector from another model or of another dimension than the index holds. */
export class IndexMismatchError extends Error {
  override readonly name = 'IndexMismatchError';
}

/** The frame index does not exist (yet): the deployment has not created it, or it was deleted. */
export class IndexNotReadyError extends Error {
  override readonly name = 'IndexNotReadyError';
}

/**
 * A write to the frame index did not complete: still throttled after every retry, refused, or not searchable in time.
 * Retrying the whole `replaceFrames` is safe: it writes a fresh run and deletes the incomplete one.
 */
export class IndexWriteError extends Error {
  override readonly name = 'IndexWriteError';
}

/** What keeps the local data directory from being used: the disk is full, the file system read-only, or it is not ours. */
export type DataDirProblem = 'full' | 'read-only' | 'permission denied';

const PROBLEMS: Record<DataDirProblem, (dir: string) => string> = {
  full: (dir) => `cannot write to the data directory ${dir}: no space left on device`,
  'read-only': (dir) => `cannot write to the data directory ${dir}: it is on a read-only file system`,
  'permission denied': (dir) => `cannot use the data directory ${dir}: permission denied`,
};

/**
 * The local data directory cannot be written (or read), whichever file in it was being touched: names the directory
 * and what is wrong, in place of the storage engine's message and its source paths. Every file after it would fail
 * the same way.
 */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';

  constructor(
    dir: string,
    readonly problem: DataDirProblem,
  ) {
    super(PROBLEMS[problem](dir));
  }
}

const ERRNO_PROBLEMS: Record<string, DataDirProblem> = {
  ENOSPC: 'full',
  EDQUOT: 'full',
  EROFS: 'read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** The same errors as LanceDB words them: Rust's io::Error, the system's text then "(os error N)". */
const LANCE_PROBLEMS: [RegExp, DataDirProblem][] = [
  [/No space left on device|Dis[ck] quota exceeded/, 'full'],
  [/Read-only file system/, 'read-only'],
  [/Permission denied|Operation not permitted/, 'permission denied'],
];

/** The DataDirError a failed file-system call stands for (Node's error code, or LanceDB's message), if any. */
export function asDataDirError(dir: string, error: unknown): DataDirError | undefined {
  if (error instanceof DataDirError) return error;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const problem =
    (typeof code === 'string' ? ERRNO_PROBLEMS[code] : undefined) ??
    (typeof message === 'string' && /\(os error \d+\)/.test(message) ? LANCE_PROBLEMS.find(([text]) => text.test(message))?.[1] : undefined);
  return problem && new DataDirError(dir, problem);
}

/**
 * The collection did not answer in time, or answered 502/503/504: a NextGen collection that scaled to zero after 10
 * idle minutes wakes on the first request after them, which waits 10–30 s. The same request succeeds once it is
 * awake: in `retryAfterSec` at the latest, when the one that woke it came that long ago.
 */
export class IndexWakingError extends Error {
  override readonly name = 'IndexWakingError';
  constructor(
    message: string,
    readonly retryAfterSec: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The local store's files are damaged (a truncated data file, a missing version manifest), or the storage engine
 * failed on them. The message names the table and the data directory and says what to run: `vsearch repair`
 * rebuilds the store from the raw embeddings, which are not part of it.
 */
export class StoreDamagedError extends Error {
  override readonly name = 'StoreDamagedError';

  constructor(
    readonly table: string,
    readonly dataDir: string,
    problem: string,
  ) {
    super(
      `the ${table} table in ${dataDir} is damaged (${problem}): run \`vsearch repair --data ${shellWord(dataDir)}\` ` +
        'to rebuild it from the raw embeddings',
    );
  }
}

/** `word` as one shell word: quoted when it holds anything but the characters a path usually has. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
