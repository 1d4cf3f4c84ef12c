/**
 * Whether bytes start like a JPEG, PNG or WebP file. Checked before a query reaches a model, so a wrong upload is a
 * 400 at once (and the search Lambda needs no image library to tell).
 */
export function isJpegPngOrWebp(bytes: Uint8Array): boolean {
  const starts = (...signature: number[]) => signature.every((byte, i) => bytes[i] === byte);
  const ascii = (from: number, text: string) => [...text].every((char, i) => bytes[from + i] === char.charCodeAt(0));
  return starts(0xff, 0xd8, 0xff) || starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) || (ascii(0, 'RIFF') && ascii(8, 'WEBP'));
}
