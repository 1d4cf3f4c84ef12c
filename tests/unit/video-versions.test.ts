import { compareSequencers, decideCreated, decideRemoved } from '../../lib/pipeline/video-versions';

describe('compareSequencers', () => {
  it('compares hex sequencers of different lengths after left-padding, case-insensitively', () => {
    expect(compareSequencers('00617F08299329D189', '00617F08299329D18A')).toBeLessThan(0);
    expect(compareSequencers('0A', 'A')).toBe(0);
    expect(compareSequencers('FF', '0100')).toBeLessThan(0);
    expect(compareSequencers('0100', 'ff')).toBeGreaterThan(0);
    expect(compareSequencers('abc', 'ABC')).toBe(0);
  });
});

describe('decideCreated', () => {
  const current = { sequencer: '0010', versionId: 'v1', deleted: false };

  it('indexes a video the catalog does not know, and a newer upload of a known one', () => {
    expect(decideCreated(undefined, '0001')).toBe('index');
    expect(decideCreated(current, '0011')).toBe('index');
  });

  it('skips a repeated event and an older one', () => {
    expect(decideCreated(current, '0010')).toBe('duplicate');
    expect(decideCreated(current, '000F')).toBe('stale');
  });

  it('indexes an upload after a deletion, but not an older upload arriving after it', () => {
    const deleted = { sequencer: '0020', deleted: true };
    expect(decideCreated(deleted, '0021')).toBe('index');
    expect(decideCreated(deleted, '0010')).toBe('stale');
  });
});

describe('decideRemoved', () => {
  const current = { sequencer: '0010', versionId: 'v1', deleted: false };
  const marker = { sequencer: '0011', versionId: 'marker', permanent: false };

  it('removes on a newer delete marker, or a permanent delete of the indexed version', () => {
    expect(decideRemoved(current, marker)).toBe('remove');
    expect(decideRemoved(current, { sequencer: '0011', versionId: 'v1', permanent: true })).toBe('remove');
    expect(decideRemoved(current, { sequencer: '0011', permanent: true })).toBe('remove');
  });

  it('keeps the video when another, older version is deleted for good', () => {
    expect(decideRemoved(current, { sequencer: '0011', versionId: 'v0', permanent: true })).toBe('other-version');
  });

  it('ignores a removal older than the indexed upload', () => {
    expect(decideRemoved(current, { ...marker, sequencer: '000F' })).toBe('stale');
  });

  it('leaves a tombstone for a video not registered yet, and repeats a removal (a retry finishes the job)', () => {
    expect(decideRemoved(undefined, marker)).toBe('remove');
    expect(decideRemoved({ sequencer: '0011', deleted: true }, marker)).toBe('remove');
    expect(decideRemoved({ sequencer: '0012', deleted: true }, marker)).toBe('stale');
  });
});
