/**
 * The catalogs' keyword rule: a video matches when every word of `keywords` occurs, case-insensitively, in its title
 * or in one of its tags. Blank keywords match every video.
 */
export function keywordMatcher(keywords: string): (video: { title: string; tags: readonly string[] }) => boolean {
  const words = keywords.toLowerCase().split(/\s+/).filter(Boolean);
  return ({ title, tags }) => {
    const fields = [title, ...tags].map((text) => text.toLowerCase());
    return words.every((word) => fields.some((field) => field.includes(word)));
  };
}
