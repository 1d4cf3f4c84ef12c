import { decodeSubtitleBytes, parseSubtitles, SubtitleError } from '../../lib/core/subtitles';

const SRT = `1
00:00:10,000 --> 00:00:14,000
the quick <i>brown</i> fox

2
00:00:15,500 --> 00:00:16,250 X1:10 X2:20
{\\an8}jumps over
the lazy dog

3
00:00:17,000 --> 00:00:18,000
<b></b>
`;

const VTT = `WEBVTT - a header

NOTE a comment
that spans lines

STYLE
::cue { color: red }

intro
00:10.000 --> 00:14.000 align:start position:10%
<v Ann>the quick brown fox</v>

01:00:15.500 --> 01:00:16.000
fish &amp; chips <00:15.750>now
`;

test('SubRip: times, markup removed, lines joined, empty cues left out', () => {
  expect(parseSubtitles(SRT, 'srt')).toEqual([
    { start: 10, end: 14, text: 'the quick brown fox' },
    { start: 15.5, end: 16.25, text: 'jumps over the lazy dog' },
  ]);
});

test('WebVTT: header, NOTE and STYLE blocks, identifiers, settings, voice tags, entities and hours', () => {
  expect(parseSubtitles(VTT, 'vtt')).toEqual([
    { start: 10, end: 14, text: 'the quick brown fox' },
    { start: 3615.5, end: 3616, text: 'fish & chips now' },
  ]);
});

test('CRLF line ends and a byte-order mark are read like LF', () => {
  const text = '\uFEFF' + SRT.replaceAll('\n', '\r\n');
  expect(parseSubtitles(text, 'srt')).toHaveLength(2);
});

function errorOf(run: () => unknown): SubtitleError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SubtitleError);
    return error as SubtitleError;
  }
  throw new Error('no error thrown');
}

test.each([
  ['a bad timestamp', '1\n00:00:1,000 --> 00:00:02,000\nhi\n', 'srt', 2, /bad timestamp "00:00:1,000" \(expected HH:MM:SS,mmm\)/],
  ['seconds of 60', '1\n00:00:60,000 --> 00:01:02,000\nhi\n', 'srt', 2, /minutes and seconds must be below 60/],
  ['an end before the start', '1\n00:00:05,000 --> 00:00:04,000\nhi\n', 'srt', 2, /ends \(00:00:04,000\) before it starts/],
  [
    'overlapping cues',
    '1\n00:00:01,000 --> 00:00:05,000\na\n\n2\n00:00:04,000 --> 00:00:06,000\nb\n',
    'srt',
    6,
    /starts before the previous cue \(line 2\) ends/,
  ],
  ['a missing timing line', '1\nhello\n', 'srt', 2, /expected a timing line/],
  ['a WebVTT file without its header', '00:01.000 --> 00:02.000\nhi\n', 'vtt', 1, /must start with "WEBVTT"/],
  ['a SubRip timestamp in WebVTT', 'WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nhi\n', 'vtt', 3, /expected \[HH:\]MM:SS\.mmm/],
] as const)('refuses %s, naming the line', (_, text, format, line, message) => {
  const error = errorOf(() => parseSubtitles(text, format));
  expect(error.line).toBe(line);
  expect(error.message).toMatch(message);
  expect(error.message).toMatch(new RegExp(`^line ${line}: `));
});

test('bytes: UTF-8 with or without a BOM decodes; Latin-1 is refused at its line', () => {
  expect(decodeSubtitleBytes(Buffer.from('\uFEFFcafé', 'utf8'))).toBe('café');
  const latin1 = Buffer.from('1\n00:00:01,000 --> 00:00:02,000\ncaf\xe9\n', 'latin1');
  const error = errorOf(() => decodeSubtitleBytes(latin1));
  expect(error.message).toBe('line 3: not UTF-8 text (convert the file to UTF-8)');
});
