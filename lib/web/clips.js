// Search results as clip cards. Activating a card plays its clip in place: the thumbnail gives way to a player that
// starts at the clip's start (the playback URL's #t=start,end media fragment) and pauses at its end. One clip plays
// at a time; Escape stops it and gives focus back to its card. A card lists the near-duplicates collapsed into it and
// has a "More like this" button.
import { mediaUrl } from './api.js';
import { h } from './dom.js';
import { range, score } from './format.js';

/** Cards in the list element `list`; `onPlay(clip)` hears which clip started playing, `onLike(clip)` which to find more like. */
export function createClipList(list, { onPlay, onLike }) {
  let playing;

  function stop() {
    if (!playing) return;
    playing.video.pause();
    playing.video.remove();
    playing.item.classList.remove('playing');
    const { button } = playing;
    playing = undefined;
    return button;
  }

  function play(item, button, clip) {
    stop();
    const video = h('video', {
      class: 'clip-video',
      controls: true,
      playsinline: true,
      preload: 'auto',
      src: mediaUrl(clip.playbackUrl),
      'aria-label': `${clip.title}, ${range(clip.start, clip.end)}`,
    });
    video.addEventListener('timeupdate', function pauseAtEnd() {
      if (video.currentTime < clip.end) return;
      video.pause();
      video.removeEventListener('timeupdate', pauseAtEnd); // once: the viewer may play on past the clip
    });
    item.prepend(video);
    item.classList.add('playing');
    playing = { item, button, video };
    video.play().catch(() => {}); // a refused autoplay leaves the player's own controls
    onPlay(clip);
  }

  function card(clip) {
    const item = h('li', { class: 'clip', 'data-video-id': clip.videoId });
    const button = h(
      'button',
      { type: 'button', class: 'clip-card' },
      h(
        'span',
        { class: 'clip-thumb' },
        clip.thumbnailUrl && h('img', { src: mediaUrl(clip.thumbnailUrl), alt: '', loading: 'lazy', onerror: (event) => event.target.remove() }),
        h('span', { class: 'play-mark', 'aria-hidden': 'true' }, '▶'),
      ),
      h('span', { class: 'visually-hidden' }, 'Play '),
      h('span', { class: 'clip-title' }, clip.title),
      h(
        'span',
        { class: 'clip-meta' },
        h('span', { class: 'clip-range' }, range(clip.start, clip.end)),
        h('span', { class: 'clip-matched' }, `by ${clip.matchedBy.join(' + ')}`),
        h('span', { class: 'clip-score' }, `score ${score(clip.score)}`),
      ),
      // The transcript line(s) that matched: what is said in the clip.
      clip.transcript.length > 0 && h('span', { class: 'clip-transcript' }, clip.transcript.map((line) => `“${line.text}”`).join(' ')),
    );
    button.addEventListener('click', () => play(item, button, clip));
    const duplicates = clip.duplicates ?? [];
    item.append(button);
    if (duplicates.length > 0) {
      item.append(h('p', { class: 'clip-duplicates' }, `Also in: ${duplicates.map((d) => `${d.videoId} ${range(d.start, d.end)}`).join(', ')}`));
    }
    item.append(h('button', { type: 'button', class: 'more-like', onclick: () => onLike(clip) }, 'More like this'));
    return item;
  }

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && playing) stop().focus();
  });

  return {
    show(clips) {
      stop();
      list.replaceChildren(...clips.map(card));
    },
  };
}
