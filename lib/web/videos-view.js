// Every video the API knows, with its indexing status; failed ones say why. Refreshes itself while any video is
// still pending or indexing and the view is shown.
import { listVideos } from './api.js';
import { h } from './dom.js';
import { clock } from './format.js';

const REFRESH_MS = 3000;
const STATUS_TEXT = { PENDING: 'pending', INDEXING: 'indexing', READY: 'ready', FAILED: 'failed' };

export function createVideosView(section, { onVideos }) {
  const body = section.querySelector('tbody');
  const status = section.querySelector('#videos-status');
  let timer;

  async function refresh() {
    clearTimeout(timer);
    section.setAttribute('aria-busy', 'true');
    try {
      const { videos } = await listVideos();
      onVideos(videos);
      body.replaceChildren(...videos.map(row));
      const busy = videos.filter((video) => video.status === 'PENDING' || video.status === 'INDEXING').length;
      status.textContent = videos.length === 0 ? 'No video is indexed yet.' : `${videos.length} videos${busy ? `, ${busy} still indexing` : ''}.`;
      if (busy && !section.hidden) timer = setTimeout(refresh, REFRESH_MS);
    } catch (error) {
      status.textContent = `The videos could not be listed: ${error.message}`;
    } finally {
      section.removeAttribute('aria-busy');
    }
  }

  section.querySelector('#videos-refresh').addEventListener('click', refresh);
  return { refresh, stop: () => clearTimeout(timer) };
}

function row(video) {
  const state = STATUS_TEXT[video.status] ?? video.status;
  return h(
    'tr',
    { 'data-video-id': video.id, 'data-status': video.status },
    h('th', { scope: 'row' }, h('span', { class: 'video-title' }, video.title), h('span', { class: 'video-id' }, video.id)),
    h(
      'td',
      {},
      h('span', { class: `badge ${video.status.toLowerCase()}` }, state),
      video.status === 'FAILED' && h('p', { class: 'reason' }, video.error ?? 'no reason was recorded'),
    ),
    h('td', { class: 'number' }, String(video.frames)),
    h('td', { class: 'number' }, clock(video.durationSec)),
    h('td', { class: 'model' }, `${video.model} (${video.dim}-d)`),
    h('td', {}, [video.category, ...video.tags].filter(Boolean).join(', ')),
    h('td', {}, h('time', { datetime: video.updatedAt }, new Date(video.updatedAt).toLocaleString())),
  );
}
