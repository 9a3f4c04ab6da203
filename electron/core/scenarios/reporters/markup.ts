/**
 * Markup for the HTML report, written as text. Everything from a run — payloads, chunks, texts,
 * session ids, descriptions, failure reasons — is hostile input: it goes through `escapeHtml`
 * (text and attribute values alike), and only this file builds tags.
 */

/** Text for HTML content or a quoted attribute value: the five markup characters as entities, forbidden control characters as U+FFFD. */
export function escapeHtml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- HTML forbids these control characters even as entities; a chunk can carry them
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '\uFFFD')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
  );
}

export type Attributes = Record<string, string | number | boolean | null | undefined>;

/** ` name="value"` for each attribute (escaped); `true` writes the bare name, `false`, null and undefined leave it out. */
export function attributes(attrs: Attributes): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (!/^[a-zA-Z][a-zA-Z0-9:_-]*$/.test(name)) throw new Error(`not an attribute name: ${name}`);
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(typeof value === 'number' ? svgNumber(value) : value)}"`;
  }
  return out;
}

/** An element; `content` is markup already (build it with `element` or `escapeHtml`). Void and self-closed SVG elements take none. */
export function element(tag: string, attrs: Attributes = {}, content?: string): string {
  return content === undefined ? `<${tag}${attributes(attrs)}/>` : `<${tag}${attributes(attrs)}>${content}</${tag}>`;
}

/** A number as SVG text: two decimals at most (a hundredth of a pixel, an opacity of 0.25). */
export function svgNumber(value: number): string {
  if (!Number.isFinite(value)) return '0';
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}
