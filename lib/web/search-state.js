// A search as the page holds it: `{text, videoIds, categories, tags, k, size, timeOffset, imageWeight}`, with lists
// always present (maybe empty) and absent numbers meaning the API's defaults. It moves between the form, the URL
// (deep links) and the API request; the query image stays out of the URL.

const LISTS = { videoIds: 'video', categories: 'category', tags: 'tag' };
const NUMBERS = { k: 'k', size: 'size', timeOffset: 'offset', imageWeight: 'weight' };

/** `?q=red&video=a&video=b&category=c&tag=t&k=50&size=10&offset=2&weight=0.3` → a search state. */
export function stateFromUrl(search) {
  const params = new URLSearchParams(search);
  const state = { text: params.get('q')?.trim() || undefined };
  for (const [key, param] of Object.entries(LISTS)) state[key] = params.getAll(param).flatMap(splitList);
  for (const [key, param] of Object.entries(NUMBERS)) state[key] = toNumber(params.get(param));
  return state;
}

/** The query string that reproduces a search (text and filters; an image cannot travel in a link). */
export function urlForState(state) {
  const params = new URLSearchParams();
  if (state.text) params.set('q', state.text);
  for (const [key, param] of Object.entries(LISTS)) for (const value of state[key]) params.append(param, value);
  for (const [key, param] of Object.entries(NUMBERS)) if (state[key] !== undefined) params.set(param, String(state[key]));
  return `?${params}`;
}

/** The search state the form shows. */
export function stateFromForm(form) {
  const { elements } = form;
  return {
    text: elements.q.value.trim() || undefined,
    videoIds: splitList(elements.videos.value),
    categories: splitList(elements.categories.value),
    tags: splitList(elements.tags.value),
    k: toNumber(elements.k.value),
    size: toNumber(elements.size.value),
    timeOffset: toNumber(elements.timeOffset.value),
    imageWeight: toNumber(elements.imageWeight.value),
  };
}

export function fillForm(form, state) {
  const { elements } = form;
  elements.q.value = state.text ?? '';
  elements.videos.value = state.videoIds.join(', ');
  elements.categories.value = state.categories.join(', ');
  elements.tags.value = state.tags.join(', ');
  for (const key of Object.keys(NUMBERS)) elements[key].value = state[key] ?? '';
  if (Object.keys(NUMBERS).some((key) => state[key] !== undefined)) form.querySelector('details.advanced').open = true;
}

/** The `POST /search` body (undefined fields are left out of its JSON); `image` is a data URL or undefined. */
export function searchRequest(state, image) {
  const { text, k, size, timeOffset } = state;
  const request = { text, image, k, size, timeOffset };
  if (text && image) request.imageWeight = state.imageWeight;
  for (const key of Object.keys(LISTS)) if (state[key].length > 0) request[key] = state[key];
  return request;
}

/**
 * A search request as `POST /timeline` takes it: `query`, what the frames are scored against, and `search`, the
 * settings that fix the search's threshold.
 */
export function timelineParts({ text, image, imageWeight, ...search }) {
  return { query: { text, image, imageWeight }, search };
}

function splitList(value) {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

function toNumber(value) {
  return value === null || value.trim() === '' || !Number.isFinite(Number(value)) ? undefined : Number(value);
}
