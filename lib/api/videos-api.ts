import type { VideoRecord } from '../core/types';
import type { Catalog } from '../store/catalog';
import { ApiError } from './api-error';

/** A video as callers see it: everything but where its file lives. */
export type VideoView = Omit<VideoRecord, 'source'>;

/** `GET /videos`: every video with its status (failed ones with the reason). */
export async function listVideosApi(catalog: Catalog): Promise<{ videos: VideoView[] }> {
  return { videos: (await catalog.list()).map(videoView) };
}

/** `GET /videos/{id}`: one video, or 404. */
export async function getVideoApi(id: string, catalog: Catalog): Promise<VideoView> {
  const video = await catalog.get(id);
  if (!video) throw new ApiError(404, 'video_not_found', `no video with id "${id}"`, 'id');
  return videoView(video);
}

function videoView({ source: _source, ...view }: VideoRecord): VideoView {
  return view;
}
