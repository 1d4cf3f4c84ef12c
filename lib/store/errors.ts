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
