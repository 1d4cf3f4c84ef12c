import { keywordMatcher } from '../../lib/core/keywords';

describe('keywordMatcher', () => {
  const video = { title: 'Monaco Pit Stop', tags: ['Tyres', 'crew'] };

  it('matches when every word is in the title or a tag, case-insensitively', () => {
    expect(keywordMatcher('pit TYRES')(video)).toBe(true);
    expect(keywordMatcher('mona cre')(video)).toBe(true);
    expect(keywordMatcher('pit rain')(video)).toBe(false);
  });

  it('matches everything for blank keywords', () => {
    expect(keywordMatcher('  ')(video)).toBe(true);
  });
});
