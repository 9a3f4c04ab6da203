import type { SeededRandom } from '../../../shared/scenario';

/**
 * Splits text the way an LLM's tokens look on the wire: a word carries its leading space
 * (" model"), punctuation is its own token, and long words come in sub-word pieces
 * ("re", "concil", "iation"). Not a real BPE — the shape is what matters to a client.
 */
export function splitTokens(text: string, random: SeededRandom): string[] {
  const tokens: string[] = [];
  const pieces = text.match(/\s*[A-Za-z\u00C0-\u024F']+|\s*\d+|\s*[^\sA-Za-z\d]|\s+$/g) ?? [];
  for (const piece of pieces) {
    const word = piece.trimStart();
    const space = piece.slice(0, piece.length - word.length);
    if (word.length <= 6 || !/^[A-Za-z]/.test(word)) {
      tokens.push(piece);
      continue;
    }
    // Sub-word pieces of 2–5 characters, the first keeping the leading space.
    let rest = word;
    let first = true;
    while (rest.length > 0) {
      const size = rest.length <= 5 ? rest.length : random.int(2, 5);
      tokens.push((first ? space : '') + rest.slice(0, size));
      rest = rest.slice(size);
      first = false;
    }
  }
  return tokens.filter((t) => t.length > 0);
}
