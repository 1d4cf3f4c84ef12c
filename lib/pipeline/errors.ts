/**
 * A newer event of the video's key (a re-upload or a deletion) took over while this execution ran: it stops quietly,
 * leaving the catalog to the newer one. The state machine catches it by this name.
 */
export class SupersededError extends Error {
  override readonly name = 'SupersededError';
}

/** A status change the video's current status does not allow (e.g. READY before INDEXING). */
export class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
}

/** A video the catalog does not hold (or holds only as deleted): the request names the wrong id. */
export class VideoNotFoundError extends Error {
  override readonly name = 'VideoNotFoundError';
}
