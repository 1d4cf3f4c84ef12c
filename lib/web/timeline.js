// The "search signal" panel: for one video of the results, every frame's score against the last query
// (`POST /timeline`), drawn with a movable threshold and that video's clips shaded.
import { timeline as fetchTimeline } from './api.js';
import { h } from './dom.js';
import { extent, renderChart } from './chart.js';
import { score } from './format.js';

export function createTimeline(section) {
  const select = section.querySelector('#timeline-video');
  const slider = section.querySelector('#threshold');
  const output = section.querySelector('#threshold-value');
  const chart = section.querySelector('#chart');
  const rawLegend = section.querySelector('#legend-raw');
  const shotsLegend = section.querySelector('#legend-shots');
  const status = section.querySelector('#timeline-status');
  let parts;
  let clips = [];
  let signal;
  let loading = 0;
  let drawnWidth = 0;

  function draw() {
    output.value = score(Number(slider.value));
    drawnWidth = chart.clientWidth;
    const { videoId, times, scores, rawScores, speech, shots } = signal;
    chart.replaceChildren(
      renderChart({
        width: drawnWidth,
        title: select.selectedOptions[0]?.textContent ?? videoId,
        times,
        scores,
        rawScores,
        speech,
        threshold: Number(slider.value),
        clips: clips.filter((clip) => clip.videoId === videoId),
        shots,
      }),
    );
  }

  async function load() {
    const videoId = select.value;
    const request = ++loading;
    status.textContent = 'Scoring every frame…';
    section.setAttribute('aria-busy', 'true');
    try {
      const answer = await fetchTimeline(parts, videoId);
      if (request !== loading) return; // a newer choice of video or query won
      signal = answer;
      rawLegend.hidden = !answer.rawScores;
      shotsLegend.hidden = !answer.shots;
      status.textContent = answer.times.length ? '' : 'This video has no indexed frames.';
      if (!answer.times.length) {
        chart.replaceChildren();
        return;
      }
      const [low, high] = extent([...answer.scores, ...(answer.rawScores ?? []), answer.threshold ?? answer.scores[0]]);
      slider.min = Math.floor(low * 100) / 100;
      slider.max = Math.ceil(high * 100) / 100;
      slider.value = answer.threshold ?? (Number(slider.min) + Number(slider.max)) / 2;
      draw();
    } catch (error) {
      if (request === loading) status.textContent = `The search signal could not be loaded: ${error.message}`;
    } finally {
      if (request === loading) section.removeAttribute('aria-busy');
    }
  }

  const drawable = () => signal?.times.length > 0;
  slider.addEventListener('input', () => drawable() && draw());
  new ResizeObserver(() => drawable() && chart.clientWidth !== drawnWidth && draw()).observe(chart);
  select.addEventListener('change', load);

  return {
    /** A new search: its `{query, search}` (see timelineParts) and clips; the first clip's video is charted. */
    show(newParts, newClips) {
      parts = newParts;
      clips = newClips;
      section.hidden = clips.length === 0;
      if (section.hidden) return;
      const titles = new Map(clips.map((clip) => [clip.videoId, clip.title]));
      select.replaceChildren(...[...titles].map(([id, title]) => h('option', { value: id }, title)));
      load();
    },
    /** Charts another video of the results (the one whose clip started playing). */
    focus(videoId) {
      if (select.value === videoId) return;
      select.value = videoId;
      load();
    },
  };
}
