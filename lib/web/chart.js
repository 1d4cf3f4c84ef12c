// The search signal of one video, as in the seed's smoothing figure: the query's score for every indexed frame over
// time (smoothed, and raw where the deployment keeps raw embeddings), the threshold, the stretches above it, and the
// clips the search returned, shaded, and the video's shot boundaries; the matching transcript lines are marked along
// the bottom, as tall as their relevance. Inline SVG drawn at its container's width, so text keeps its size on a phone.
import { s } from './dom.js';
import { clock, range, score } from './format.js';

const HEIGHT = 260;
const PLOT = { left: 56, right: 28, top: 14, bottom: 32 };
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
/** Frames are marked with dots only while they stay apart. */
const MAX_DOTS = 120;
/** Height in px of the mark of a transcript line of relevance 1. */
const SPEECH_BAND = 24;

/**
 * `{width, title, times, scores, rawScores?, threshold, clips: [{start, end}], speech: [{start, end, text, score}],
 * shots?: {boundaries: [{time, kind}]}}` → an `<svg>` element `width` px wide.
 */
export function renderChart({ width, title, times, scores, rawScores, threshold, clips, speech = [], shots }) {
  const end = Math.max(times.at(-1) ?? 0, ...clips.map((clip) => clip.end), 1);
  const [low, high] = padded(extent([...scores, ...(rawScores ?? []), threshold]));
  const x = (time) => PLOT.left + (time / end) * (width - PLOT.left - PLOT.right);
  const y = (value) => PLOT.top + ((high - value) / (high - low)) * (HEIGHT - PLOT.top - PLOT.bottom);
  const bottom = HEIGHT - PLOT.bottom;
  const thresholdY = y(threshold);
  const points = (series) => series.map((value, i) => `${x(times[i]).toFixed(1)},${y(value).toFixed(1)}`);
  const polyline = (series, cls) => s('polyline', { class: cls, points: points(series).join(' ') });

  const peak = scores.reduce((best, value, i) => (value > scores[best] ? i : best), 0);
  const boundaries = shots?.boundaries ?? [];
  const summary =
    `${times.length} frames; peak score ${score(scores[peak])} at ${clock(times[peak])}; threshold ${score(threshold)}; ` +
    (clips.length ? `clips found: ${clips.map((clip) => range(clip.start, clip.end)).join(', ')}` : 'no clip found in this video') +
    (shots ? `; ${boundaries.length + 1} shot${boundaries.length === 0 ? '' : 's'}` : '') +
    (speech.length ? `; said: ${speech.map((line) => `${range(line.start, line.end)} “${line.text}”`).join(', ')}` : '');

  return s(
    'svg',
    { viewBox: `0 0 ${width} ${HEIGHT}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc', class: 'signal' },
    s('title', { id: 'chart-title' }, `Search signal of ${title}`),
    s('desc', { id: 'chart-desc' }, summary),
    s('defs', {}, s('clipPath', { id: 'above-threshold' }, s('rect', { x: 0, y: 0, width, height: Math.max(0, thresholdY) }))),
    grid(x, y, width, end, low, high),
    clips.map((clip) =>
      s(
        'rect',
        {
          class: 'clip-band',
          'data-start': clip.start,
          'data-end': clip.end,
          x: x(clip.start) - 2,
          y: PLOT.top,
          width: Math.max(4, x(clip.end) - x(clip.start) + 4),
          height: bottom - PLOT.top,
        },
        s('title', {}, `clip ${range(clip.start, clip.end)}`),
      ),
    ),
    speech.map((line) => {
      const tall = SPEECH_BAND * line.score;
      return s(
        'rect',
        { class: 'speech-band', x: x(line.start), y: bottom - tall, width: Math.max(3, x(line.end) - x(line.start)), height: tall },
        s('title', {}, `said ${range(line.start, line.end)}: “${line.text}”`),
      );
    }),
    times.length > 0 &&
      s('polygon', {
        class: 'above',
        'clip-path': 'url(#above-threshold)',
        points: [`${x(times[0])},${thresholdY}`, ...points(scores), `${x(times.at(-1))},${thresholdY}`].join(' '),
      }),
    rawScores && polyline(rawScores, 'raw'),
    polyline(scores, 'smoothed'),
    times.length <= MAX_DOTS && scores.map((value, i) => s('circle', { class: 'dot', cx: x(times[i]), cy: y(value), r: 2.5 })),
    s('line', { class: 'threshold', x1: PLOT.left, x2: width - PLOT.right, y1: thresholdY, y2: thresholdY }),
    boundaries.map(({ time, kind }) =>
      s(
        'line',
        { class: `shot ${kind}`, 'data-time': time, x1: x(time), x2: x(time), y1: PLOT.top, y2: bottom },
        s('title', {}, `${kind === 'cut' ? 'cut' : 'dissolve'} at ${clock(time)}`),
      ),
    ),
  );
}

function grid(x, y, width, end, low, high) {
  const maxTicks = Math.max(2, Math.floor((width - PLOT.left - PLOT.right) / 70));
  const step = TIME_STEPS.find((candidate) => end / candidate <= maxTicks) ?? TIME_STEPS.at(-1);
  const timeTicks = Array.from({ length: Math.floor(end / step) + 1 }, (_, i) => i * step);
  const valueStep = niceStep((high - low) / 4);
  const valueTicks = [];
  for (let value = Math.ceil(low / valueStep) * valueStep; value <= high; value += valueStep) valueTicks.push(value);
  const decimals = Math.max(0, -Math.floor(Math.log10(valueStep)));
  const bottom = HEIGHT - PLOT.bottom;
  return s(
    'g',
    { class: 'grid', 'aria-hidden': 'true' },
    timeTicks.map((time) =>
      s('g', {}, s('line', { x1: x(time), x2: x(time), y1: PLOT.top, y2: bottom }), s('text', { x: x(time), y: bottom + 20, 'text-anchor': 'middle' }, clock(time))),
    ),
    valueTicks.map((value) =>
      s(
        'g',
        {},
        s('line', { x1: PLOT.left, x2: width - PLOT.right, y1: y(value), y2: y(value) }),
        s('text', { x: PLOT.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, value.toFixed(decimals)),
      ),
    ),
  );
}

/** `[min, max]` of a list of any length (no argument spreading). */
export function extent(values) {
  return values.reduce(([min, max], value) => [Math.min(min, value), Math.max(max, value)], [Infinity, -Infinity]);
}

/** A little room above and below the data; a flat signal gets a band of its own. */
function padded([low, high]) {
  const pad = (high - low) * 0.08 || 0.05;
  return [low - pad, high + pad];
}

/** 1, 2 or 5 times a power of ten, at least `rough`. */
function niceStep(rough) {
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((factor) => factor * power).find((step) => step >= rough);
}
