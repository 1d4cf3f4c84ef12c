/** A model that could not be downloaded or read; the message is one line meant for the user. */
export class ModelLoadError extends Error {
  override readonly name: string = 'ModelLoadError';
}

/** A hub model that is not in the cache and could not be fetched: offline, a firewall, a hub outage, a wrong id. */
export class ModelDownloadError extends ModelLoadError {
  override readonly name = 'ModelDownloadError';

  static of(model: string, host: string, cacheDir: string, reason: string): ModelDownloadError {
    return new ModelDownloadError(`Model "${model}" is not in the cache ${cacheDir} and could not be downloaded from ${host} (${reason}).`);
  }
}

/** The errors a model thread sends back by name (embedder-thread.ts), made again on the caller's side. */
export const MODEL_ERRORS = { ModelLoadError, ModelDownloadError } as const;
