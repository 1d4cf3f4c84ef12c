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

/** An error's message on one line. */
export function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
}

/**
 * Why a hub download failed, when it did: fetch's own failure (no network, refused, a name that does not resolve) with
 * its cause, or the hub's answer (transformers.js's messages for 4xx/5xx statuses, e.g. 503 in an outage).
 */
export function downloadFailure(err: unknown): string | undefined {
  const { message, cause } = (err ?? {}) as { message?: unknown; cause?: unknown };
  if (typeof message !== 'string') return undefined;
  if (message === 'fetch failed') return cause ? `fetch failed: ${oneLine(cause)}` : message;
  return /(occurred while trying to load file|Could not locate file|access to file): "https?:/.test(message) ? oneLine(err) : undefined;
}

/** The errors a model thread sends back by name (embedder-thread.ts), made again on the caller's side. */
export const MODEL_ERRORS = { ModelLoadError, ModelDownloadError } as const;
