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
