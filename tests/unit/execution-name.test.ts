import { executionName, MAX_EXECUTION_NAME } from '../../lib/pipeline/execution-name';
import { videoIdForKey } from '../../lib/pipeline/video-key';

/** Step Functions execution names: 1–80 characters; letters, digits, `-` and `_` are the safe ones. */
const SAFE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const SEQUENCER = '0062E99A88DC407460';

const KEYS = [
  'videos/traffic.mp4',
  'videos/Fête de la musique 1.mp4',
  'videos/動画 クリップ.mov',
  'videos/🎬 premiere ✨.mkv',
  'videos/Pit+stop%20final.mp4',
  'videos/no-extension',
  'videos/a/b/c/d.e.f.webm',
  `videos/${'very long title '.repeat(20)}.mp4`,
  // Cut right after a word: no dash is left before the hash.
  `videos/${'a'.repeat(51)}-${'b'.repeat(40)}.mp4`,
  'videos/<>{}[]?*"#%\\^|~`$&,;:.mp4',
];

test('a name is the video id of the key and the sequencer', () => {
  const key = 'videos/Fête de la musique 1.mp4';
  expect(executionName(key, SEQUENCER)).toBe(`${videoIdForKey(key)}-${SEQUENCER}`);
  expect(executionName(key, SEQUENCER)).toBe('fete-de-la-musique-1-90fd86c0-0062E99A88DC407460');
});

test.each(KEYS)('%s: at most 80 safe characters, ending with the key hash and the whole sequencer', (key) => {
  const name = executionName(key, SEQUENCER);
  expect(name).toMatch(SAFE_NAME);
  expect(name.endsWith(`${videoIdForKey(key).slice(-9)}-${SEQUENCER}`)).toBe(true);
  expect(name).not.toMatch(/^-|--/);
});

test('a long file name is cut to fit 80 characters with the sequencer whole, however long it is', () => {
  const key = `videos/${'very long title '.repeat(20)}.mp4`;
  for (const sequencer of [SEQUENCER, 'F'.repeat(32), 'a'.repeat(MAX_EXECUTION_NAME - 11)]) {
    const name = executionName(key, sequencer);
    expect(name).toHaveLength(MAX_EXECUTION_NAME);
    expect(name.endsWith(`-${sequencer}`)).toBe(true);
    expect(name).toMatch(SAFE_NAME);
  }
});

test('names without Latin letters fall back to "video", still told apart by the key hash', () => {
  const names = ['videos/動画.mp4', 'videos/クリップ.mp4', 'videos/🎬.mp4'].map((key) => executionName(key, SEQUENCER));
  for (const name of names) expect(name).toMatch(/^video-[0-9a-f]{8}-0062E99A88DC407460$/);
  expect(new Set(names).size).toBe(3);
});

test('one name per upload: the same event names the same execution, another sequencer or another key another', () => {
  const key = 'videos/traffic.mp4';
  expect(executionName(key, SEQUENCER)).toBe(executionName(key, SEQUENCER));
  expect(executionName(key, '0062E99A88DC407461')).not.toBe(executionName(key, SEQUENCER));
  // Same file name, other folders, and names that slug alike: the hash tells them apart.
  const alike = ['videos/a/clip.mp4', 'videos/b/clip.mp4', 'videos/Clip.mp4', 'videos/clip .mp4'].map((k) => executionName(k, SEQUENCER));
  expect(new Set(alike).size).toBe(alike.length);
});

test('a sequencer that is not hex, or leaves no room for the name, is refused', () => {
  expect(() => executionName('videos/a.mp4', '00ZZ')).toThrow(/not hexadecimal/);
  expect(() => executionName('videos/a.mp4', '')).toThrow(/not hexadecimal/);
  expect(() => executionName('videos/a.mp4', 'a'.repeat(MAX_EXECUTION_NAME - 10))).toThrow(/no room/);
});
