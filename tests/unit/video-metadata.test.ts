import { isSidecar, sidecarKey, videoMetadata } from '../../lib/pipeline/video-metadata';
import { keyCandidates, videoIdForKey } from '../../lib/pipeline/video-key';

describe('videoMetadata', () => {
  const key = 'videos/races/Monaco Pit Stop.mp4';

  it('defaults to the file name as title and no tags', () => {
    expect(videoMetadata(key, undefined, undefined)).toEqual({ ok: true, value: { title: 'Monaco Pit Stop', tags: [] } });
  });

  it('reads title, category and comma-separated tags from object metadata', () => {
    const metadata = { title: ' Pit stop ', category: 'f1', tags: 'tyres, crew,,tyres ' };
    expect(videoMetadata(key, metadata, undefined)).toEqual({
      ok: true,
      value: { title: 'Pit stop', category: 'f1', tags: ['tyres', 'crew'] },
    });
  });

  it('prefers the sidecar, field by field', () => {
    const sidecar = JSON.stringify({ title: 'Fête', tags: ['crew'] });
    expect(videoMetadata(key, { title: 'x', category: 'f1', tags: 'a' }, sidecar)).toEqual({
      ok: true,
      value: { title: 'Fête', category: 'f1', tags: ['crew'] },
    });
  });

  it('names what is wrong with a malformed sidecar', () => {
    expect(videoMetadata(key, undefined, '{"tags":"a,b"}')).toEqual({
      ok: false,
      error: `sidecar ${key}.json: tags: Invalid input: expected array, received string`,
    });
    expect(videoMetadata(key, undefined, '{"title": 1, ')).toEqual({ ok: false, error: `sidecar ${key}.json is not JSON` });
    expect(videoMetadata(key, undefined, '{"colour":"red"}')).toMatchObject({ ok: false, error: expect.stringMatching(/colour/) });
  });

  it('recognises sidecars by their suffix', () => {
    expect(sidecarKey(key)).toBe(`${key}.json`);
    expect(isSidecar(`${key}.json`)).toBe(true);
    expect(isSidecar(key)).toBe(false);
    // Subtitle sidecars are read with the video, never indexed as one.
    for (const name of ['movie.srt', 'movie.mp4.vtt', 'MOVIE.SRT']) expect(isSidecar(`videos/${name}`)).toBe(true);
  });
});

describe('videoIdForKey', () => {
  it('is a readable slug, unique per key and stable', () => {
    const a = videoIdForKey('videos/a/Traffic Lights.mp4');
    expect(a).toMatch(/^traffic-lights-[0-9a-f]{8}$/);
    expect(videoIdForKey('videos/a/Traffic Lights.mp4')).toBe(a);
    expect(videoIdForKey('videos/b/Traffic Lights.mp4')).not.toBe(a);
  });
});

describe('keyCandidates', () => {
  it('tries the key as given, then URL-decoded (classic S3 notification encoding)', () => {
    expect(keyCandidates('videos/F%C3%AAte+de+la+musique.mp4')).toEqual([
      'videos/F%C3%AAte+de+la+musique.mp4',
      'videos/Fête de la musique.mp4',
    ]);
    expect(keyCandidates('videos/Fête de la musique.mp4')).toEqual(['videos/Fête de la musique.mp4']);
    expect(keyCandidates('videos/100%.mp4')).toEqual(['videos/100%.mp4']);
  });
});
