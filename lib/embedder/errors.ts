/** A model that could not be downloaded or read; the message is one line meant for the user. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
}
