import { createHash } from 'node:crypto';
import { videoIdFor } from '../video-id';

/**
 * The video id of an S3 key: the file name as a slug, made unique by a hash of the whole key (two folders may hold
 * files of the same name). Derived from the key alone, so the "Object Created" and "Object Deleted" events of a key
 * name the same video without a lookup.
 */
export function videoIdForKey(key: string): string {
  return `${videoIdFor(key)}-${keyHash(key)}`;
}

/** What tells apart two keys of the same file name: 8 hex digits of the key's SHA-256. */
export function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * The keys an event's `key` may stand for. S3's classic notifications URL-encode keys (a space as `+`); EventBridge
 * events are documented with plain keys. Both are tried, the key as given first; the object's version id makes the
 * match unambiguous.
 */
export function keyCandidates(eventKey: string): string[] {
  let decoded: string;
  try {
    decoded = decodeURIComponent(eventKey.replace(/\+/g, ' '));
  } catch {
    return [eventKey];
  }
  return decoded === eventKey ? [eventKey] : [eventKey, decoded];
}
