/**
 * Text from the network (session ids, channel names, server messages) shown on a terminal.
 * Written raw, an id holding `\x1b[2J` clears the screen, and worse escapes can retitle the
 * window or fake output. Every control character (C0, DEL, C1) and the bidirectional
 * overrides that reorder what is shown are written as visible `\xNN` / `\uNNNN` escapes.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
