import { createHash } from 'node:crypto';
import path from 'node:path';

/** A readable, stable id for a video file: its name as a slug ("Traffic Lights.mp4" → "traffic-lights"). */
export function videoIdFor(file: string): string {
  const slug = path
    .basename(file, path.extname(file))
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'video';
}

/** The same slug made unique for another file that happens to share the name. */
export function disambiguatedVideoId(file: string): string {
  const hash = createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 6);
  return `${videoIdFor(file)}-${hash}`;
}
