// A search as the page holds it: `{text, like, not, videoIds, categories, tags, k, size, timeOffset, imageWeight,
// snap, dedupe}`, with lists always present (maybe empty), `like` a moment `{videoId, start, end}` or undefined, and
// absent values meaning the API's defaults. It moves between the form, the URL (deep links) and the API request; the
// query image stays out of the URL.

const LISTS = { videoIds: 'video', categories: 'category', tags: 'tag' };
const NUMBERS = { k: 'k', size: 'size', timeOffset: 'offset', imageWeight: 'weight' };

/**
 * `?q=red&like=traffic@10-15&not=green&video=a&video=b&category=c&tag=t&k=50&size=10&offset=2&weight=0.3&snap=none&dedupe=false`
 * → a search state (`like` as the CLI writes it, VIDEO@START-END, in seconds; `not` repeats, one negative each).
 */
export function stateFromUrl(search) {
  const params = new URLSearchParams(search);
  const state = { text: params.get('q')?.trim() || undefined, like: parseMoment(params.get('like')) };
  state.not = params.getAll('not').map((text) => text.trim()).filter(Boolean);
  for (const [key, param] of Object.entries(LISTS)) state[key] = params.getAll(param).flatMap(splitList);
  for (const [key, param] of Object.entries(NUMBERS)) state[key] = toNumber(params.get(param));
  state.snap = params.get('snap') === 'none' ? 'none' : undefined;
  state.dedupe = params.get('dedupe') === 'false' ? false : undefined;
  return state;
}

/** The query string that reproduces a search (text, moment, negatives, filters; an image cannot travel in a link). */
export function urlForState(state) {
  const params = new URLSearchParams();
  if (state.text) params.set('q', state.text);
  if (state.like) params.set('like', formatMoment(state.like));
  for (const text of state.not) params.append('not', text);
  for (const [key, param] of Object.entries(LISTS)) for (const value of state[key]) params.append(param, value);
  for (const [key, param] of Object.entries(NUMBERS)) if (state[key] !== undefined) params.set(param, String(state[key]));
  if (state.snap) params.set('snap', state.snap);
  if (state.dedupe === false) params.set('dedupe', 'false');
  return `?${params}`;
}

/** The search state the form shows. */
export function stateFromForm(form) {
  const { elements } = form;
  return {
    text: elements.q.value.trim() || undefined,
    like: parseMoment(elements.like.value),
    not: splitList(elements.not.value),
    videoIds: splitList(elements.videos.value),
    categories: splitList(elements.categories.value),
    tags: splitList(elements.tags.value),
    k: toNumber(elements.k.value),
    size: toNumber(elements.size.value),
    timeOffset: toNumber(elements.timeOffset.value),
    imageWeight: toNumber(elements.imageWeight.value),
    snap: elements.snap.value === 'none' ? 'none' : undefined,
    dedupe: elements.dedupe.checked ? undefined : false,
  };
}

export function fillForm(form, state) {
  const { elements } = form;
  elements.q.value = state.text ?? '';
  elements.like.value = state.like ? formatMoment(state.like) : '';
  elements.not.value = state.not.join(', ');
  elements.videos.value = state.videoIds.join(', ');
  elements.categories.value = state.categories.join(', ');
  elements.tags.value = state.tags.join(', ');
  for (const key of Object.keys(NUMBERS)) elements[key].value = state[key] ?? '';
  elements.snap.value = state.snap ?? 'shots';
  elements.dedupe.checked = state.dedupe !== false;
  const advanced = Object.keys(NUMBERS).some((key) => state[key] !== undefined) || state.snap || state.dedupe === false;
  if (advanced) form.querySelector('details.advanced').open = true;
}

/** The `POST /search` body (undefined fields are left out of its JSON); `image` is a data URL or undefined. */
export function searchRequest(state, image) {
  const { text, like, k, size, timeOffset, snap, dedupe } = state;
  const request = { text, image, like, k, size, timeOffset, snap, dedupe };
  if (text && image) request.imageWeight = state.imageWeight;
  if (state.not.length > 0) request.not = state.not;
  for (const key of Object.keys(LISTS)) if (state[key].length > 0) request[key] = state[key];
  return request;
}

/**
 * A search request as `POST /timeline` takes it: `query`, what the frames are scored against, and `search`, the
 * settings that fix the search's threshold.
 */
export function timelineParts({ text, image, imageWeight, like, not, ...search }) {
  return { query: { text, image, imageWeight, like, not }, search };
}

/** `traffic@10-15.5` → `{videoId: 'traffic', start: 10, end: 15.5}`; undefined for anything else. */
export function parseMoment(value) {
  const match = /^(.+)@(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(value?.trim() ?? '');
  return match ? { videoId: match[1], start: Number(match[2]), end: Number(match[3]) } : undefined;
}

export function formatMoment({ videoId, start, end }) {
  return `${videoId}@${start}-${end}`;
}

function splitList(value) {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

function toNumber(value) {
  return value === null || value.trim() === '' || !Number.isFinite(Number(value)) ? undefined : Number(value);
}
