/**
 * Compares two strings in UTF-8 byte order (the order S3 lists keys in) without encoding them.
 * JavaScript's `<` compares UTF-16 code units, which differs from UTF-8 only where a surrogate
 * (U+D800–U+DFFF, i.e. a character above U+FFFF) meets a unit in U+E000–U+FFFF: surrogates must sort last.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
