// The search page: wires the form, results, search signal and videos view together, and keeps the URL a deep link to
// what is shown (`?q=…&like=…&not=…&video=…&category=…&tag=…&k=…&size=…&offset=…&weight=…&snap=…&dedupe=…`, or
// `?view=videos`).
import { search } from './api.js';
import { createClipList } from './clips.js';
import { h } from './dom.js';
import { setupImagePicker } from './image-picker.js';
import { range } from './format.js';
import { fillForm, parseMoment, searchRequest, stateFromForm, stateFromUrl, timelineParts, urlForState } from './search-state.js';
import { createTimeline } from './timeline.js';
import { createVideosView } from './videos-view.js';

/** API error fields that name something other than the form control of the same name. */
const FIELD_CONTROLS = { text: 'q', videoIds: 'videos', like: 'like-clear' };

const form = document.getElementById('search-form');
const status = document.getElementById('search-status');
const results = document.querySelector('.results');
const searchLink = document.querySelector('nav a[data-view=search]');
const views = { search: document.getElementById('search-view'), videos: document.getElementById('videos-view') };
const likeChip = document.getElementById('like-chip');

const image = setupImagePicker(document.getElementById('drop-zone'), (message) => (status.textContent = message));
const timeline = createTimeline(document.getElementById('timeline'));
const clips = createClipList(document.getElementById('clips'), { onPlay: (clip) => timeline.focus(clip.videoId), onLike: searchLike });
const videos = createVideosView(views.videos, { onVideos: suggest });

let searches = 0;
let shownUrl;

async function run(state, url) {
  showLike();
  const request = searchRequest(state, image.current());
  if (!request.text && !request.image && !request.like) {
    status.textContent = 'Type what to look for, or choose an image.';
    form.elements.q.focus();
    return;
  }
  const current = ++searches;
  shownUrl = url;
  searchLink.href = url;
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  status.textContent = 'Searching…';
  results.setAttribute('aria-busy', 'true');
  try {
    const waking = (seconds) => {
      if (current === searches) status.textContent = `The index is waking up… searching again in ${seconds} s.`;
    };
    const answer = await search(request, waking);
    if (current !== searches) return;
    clips.show(answer.clips);
    timeline.show(timelineParts(request), answer.clips);
    const count = answer.clips.length;
    status.textContent = count === 0 ? 'No matching moment found.' : `${count} clip${count === 1 ? '' : 's'} found.`;
  } catch (error) {
    if (current !== searches) return;
    status.textContent = `Search failed: ${error.message}`;
    const name = error.field?.split('.')[0];
    const control = name && form.elements[FIELD_CONTROLS[name] ?? name];
    control?.setAttribute('aria-invalid', 'true');
    control?.focus();
  } finally {
    if (current === searches) results.removeAttribute('aria-busy');
  }
}

/** "More like this" on a clip: a new search for that moment alone, with the filters and settings kept. */
function searchLike(clip) {
  image.clear();
  const state = { ...stateFromForm(form), text: undefined, like: { videoId: clip.videoId, start: clip.start, end: clip.end } };
  fillForm(form, state);
  const url = urlForState(state);
  history.pushState(null, '', url);
  run(state, location.search);
}

/** The moment the form searches like, if any, shown above the filters. */
function showLike() {
  const like = parseMoment(form.elements.like.value);
  likeChip.hidden = !like;
  if (like) likeChip.querySelector('.like-moment').textContent = `${like.videoId} ${range(like.start, like.end)}`;
}

function showView(name) {
  for (const [view, section] of Object.entries(views)) section.hidden = view !== name;
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (name === 'videos') videos.refresh();
  else videos.stop();
}

/** Shows what the URL says; a search link runs its search unless that is already what the page shows. */
function followUrl() {
  const view = new URLSearchParams(location.search).get('view') === 'videos' ? 'videos' : 'search';
  showView(view);
  if (view !== 'search' || location.search === shownUrl) return;
  const state = stateFromUrl(location.search);
  fillForm(form, state);
  showLike();
  if (state.text || state.like) run(state, location.search);
}

/** Filter suggestions from the catalog. */
function suggest(list) {
  const fill = (id, values) => document.getElementById(id).replaceChildren(...[...new Set(values)].sort().map((value) => h('option', { value })));
  fill('known-videos', list.map((video) => video.id));
  fill('known-categories', list.flatMap((video) => (video.category ? [video.category] : [])));
  fill('known-tags', list.flatMap((video) => video.tags));
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const state = stateFromForm(form);
  const url = urlForState(state);
  if (url !== (location.search || '?')) history.pushState(null, '', url);
  run(state, location.search);
});

for (const link of document.querySelectorAll('nav a')) {
  link.addEventListener('click', (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return; // new tab or window: the browser's job
    event.preventDefault();
    history.pushState(null, '', link.getAttribute('href'));
    followUrl();
  });
}
window.addEventListener('popstate', followUrl);

document.getElementById('like-clear').addEventListener('click', () => {
  form.elements.like.value = '';
  showLike();
  form.elements.q.focus();
});

followUrl();
if (views.videos.hidden) videos.refresh();
